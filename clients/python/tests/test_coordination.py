"""Read-write lock, semaphore, atomic counter, barrier and queue in Curator's layouts."""

from __future__ import annotations

import threading

from conftest import WAIT
from server_process import ServerProcess

import paddock
from paddock.coordination import (
    AtomicLong,
    Barrier,
    Queue,
    ReadWriteLock,
    Semaphore,
    next_id,
    priority_key,
    serialize_items,
)


def test_read_write_lock(server: ServerProcess, path: str) -> None:
    with (
        paddock.Client(server.address) as a,
        paddock.Client(server.address) as b,
        paddock.Client(server.address) as c,
    ):
        r1, r2, w = ReadWriteLock(a, path), ReadWriteLock(b, path), ReadWriteLock(c, path)
        assert r1.read_lock.acquire()
        assert r2.read_lock.acquire()
        assert "-__READ__" in (r1.read_lock.node or "")
        assert not w.write_lock.acquire(timeout=0.3)
        got = threading.Event()
        t = threading.Thread(target=lambda: w.write_lock.acquire() and got.set())
        t.start()
        r1.read_lock.release()
        r2.read_lock.release()
        assert got.wait(WAIT)
        t.join(WAIT)
        assert not r1.read_lock.acquire(timeout=0.3)  # a writer holds
        assert w.read_lock.acquire(timeout=WAIT)  # its own read lock: a downgrade


def test_semaphore(server: ServerProcess, path: str) -> None:
    with paddock.Client(server.address) as a, paddock.Client(server.address) as b:
        sa, sb = Semaphore(a, path, 2), Semaphore(b, path, 2)
        first, second = sa.acquire(), sb.acquire()
        assert first is not None
        assert second is not None
        assert "/leases/_c_" in first.path
        assert second.czxid > first.czxid
        assert sb.acquire(timeout=0.3) is None
        got: list[object] = []
        t = threading.Thread(target=lambda: got.append(sb.acquire(timeout=WAIT)))
        t.start()
        first.release()
        t.join(WAIT)
        assert got
        assert got[0] is not None


def test_atomic_long(server: ServerProcess, path: str) -> None:
    counter_path = f"{path}/counters/hits"

    def bump() -> None:
        with paddock.Client(server.address) as c:
            counter = AtomicLong(c, counter_path)
            for _ in range(10):
                counter.add(1)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    with paddock.Client(server.address) as c:
        data, _ = c.get_data(counter_path)
        assert data == (40).to_bytes(8, "big")
        counter = AtomicLong(c, counter_path)
        assert not counter.compare_and_set(39, 0)
        assert counter.compare_and_set(40, 7)
        assert counter.get() == 7


def test_barrier(server: ServerProcess, path: str) -> None:
    with paddock.Client(server.address) as a, paddock.Client(server.address) as b:
        Barrier(a, f"{path}/b").set()
        assert not Barrier(b, f"{path}/b").wait(timeout=0.2)
        done = threading.Event()
        t = threading.Thread(target=lambda: Barrier(b, f"{path}/b").wait() and done.set())
        t.start()
        Barrier(a, f"{path}/b").remove()
        assert done.wait(WAIT)
        t.join(WAIT)


def test_queue(server: ServerProcess, path: str) -> None:
    with paddock.Client(server.address) as a, paddock.Client(server.address) as b:
        producer = Queue(a, f"{path}/q")
        for i in range(3):
            producer.put(f"item-{i}".encode())
        assert Queue(b, f"{path}/q").take() == b"item-0"
        taken: list[bytes | None] = []
        consumers = [
            threading.Thread(target=lambda c=c: taken.append(Queue(c, f"{path}/q").take(WAIT)))
            for c in (a, b)
        ]
        for t in consumers:
            t.start()
        for t in consumers:
            t.join(WAIT)
        assert sorted(x or b"" for x in taken) == [b"item-1", b"item-2"]
        pq = Queue(a, f"{path}/pq")
        for p in (5, -1, 2):
            pq.put(str(p).encode(), priority=p)
        assert [pq.take(WAIT) for _ in range(3)] == [b"-1", b"2", b"5"]
        assert Queue(b, f"{path}/q").take(timeout=0.2) is None
    assert serialize_items(b"ab").hex() == "000100010100000002616202"
    assert (priority_key(-1), priority_key(2)) == ("0FFFFFFFF", "100000002")


def test_next_id(client: paddock.Client, path: str) -> None:
    first, second = next_id(client, f"{path}/ids"), next_id(client, f"{path}/ids")
    assert second > first
    assert client.get_children(f"{path}/ids") == []
