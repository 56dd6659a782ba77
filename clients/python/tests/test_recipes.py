"""The lock and leader-election recipes with several clients, and the lock demo CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest
from conftest import WAIT
from server_process import ServerProcess

import paddock
from paddock.recipes import LeaderElection, Lock


class Exclusion:
    """Counts holders inside a critical section; remembers the most ever at once."""

    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self.inside = 0
        self.most = 0
        self.entries = 0

    def enter(self) -> None:
        with self.mutex:
            self.inside += 1
            self.entries += 1
            self.most = max(self.most, self.inside)

    def leave(self) -> None:
        with self.mutex:
            self.inside -= 1


def run_threads(targets: list) -> None:  # type: ignore[type-arg]
    errors: list[BaseException] = []

    def wrap(fn):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                fn()
            except BaseException as e:
                errors.append(e)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a contender hung"
    if errors:
        raise errors[0]


def test_lock_has_exactly_one_holder_at_a_time(server: ServerProcess, path: str) -> None:
    lock_path = f"{path}/lock"
    ex = Exclusion()
    names: list[str] = []

    def contender(i: int) -> None:
        with paddock.Client(server.address, timeout=10) as c:
            lock = Lock(c, lock_path, f"c{i}")
            for _ in range(5):
                with lock:
                    ex.enter()
                    assert lock.is_acquired
                    assert lock.node is not None
                    names.append(lock.node)
                    c.sync(lock_path)  # a round trip while holding widens any overlap
                    ex.leave()

    run_threads([lambda i=i: contender(i) for i in range(4)])
    assert ex.entries == 20
    assert ex.most == 1
    protected = re.escape(lock_path) + r"/_c_[0-9a-f-]{36}-lock-\d{10}"
    assert all(re.fullmatch(protected, n) for n in names)


def test_lock_nonblocking_and_timeout(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    holder = Lock(client, f"{path}/lock", "holder")
    assert holder.acquire()
    with paddock.Client(server.address) as other:
        waiter = Lock(other, f"{path}/lock", "waiter")
        assert waiter.acquire(blocking=False) is False
        assert waiter.acquire(timeout=0.2) is False
        assert waiter.node is None
        # A failed attempt leaves no node behind: only the holder is queued.
        assert waiter.contenders() == ["holder"]
    holder.release()
    assert client.get_children(f"{path}/lock") == []


def test_lock_passes_on_when_holder_session_closes(server: ServerProcess, path: str) -> None:
    a = paddock.Client(server.address)
    lock_a = Lock(a, f"{path}/lock", "a")
    assert lock_a.acquire()
    acquired = threading.Event()
    with paddock.Client(server.address) as b:
        lock_b = Lock(b, f"{path}/lock", "b")
        t = threading.Thread(target=lambda: lock_b.acquire() and acquired.set())
        t.start()
        while lock_b.node is None or len(lock_b.contenders()) < 2:
            assert t.is_alive()
            threading.Event().wait(0.01)  # polling until b is queued behind a
        assert not acquired.is_set()
        a.close()  # the holder's ephemeral goes with its session
        assert acquired.wait(WAIT)
        t.join(WAIT)
        lock_b.release()


def test_leader_election_runs_one_leader_at_a_time(server: ServerProcess, path: str) -> None:
    ex = Exclusion()
    led: list[str] = []

    def candidate(i: int) -> None:
        with paddock.Client(server.address) as c:
            election = LeaderElection(c, f"{path}/election", f"c{i}")

            def lead() -> str:
                ex.enter()
                assert election.is_leader
                assert election.contenders()[0] == f"c{i}"
                c.sync("/")
                ex.leave()
                return f"c{i}"

            led.append(election.run(lead) or "")

    run_threads([lambda i=i: candidate(i) for i in range(3)])
    assert sorted(led) == ["c0", "c1", "c2"]
    assert ex.most == 1


def test_lock_demo_cli_alternates(server: ServerProcess, path: str) -> None:
    # All demos write to one pipe; RELEASED is printed before the node is deleted, so a correct
    # lock gives strictly alternating ACQUIRED X / RELEASED X lines.
    read_fd, write_fd = os.pipe()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "paddock.lock_demo",
                "--server",
                server.address,
                "--path",
                f"{path}/demo",
                "--hold-ms",
                "100",
                "--id",
                f"p{i}",
            ],
            stdout=write_fd,
            env=env,
        )
        for i in range(3)
    ]
    os.close(write_fd)
    with os.fdopen(read_fd) as out:
        lines = out.read().splitlines()  # EOF once every demo exited
    for p in procs:
        assert p.wait(timeout=WAIT) == 0
    assert len(lines) == 6, lines
    for acquired, released in zip(lines[::2], lines[1::2], strict=True):
        name = acquired.removeprefix("ACQUIRED ")
        assert acquired.startswith("ACQUIRED ")
        assert released == f"RELEASED {name}"
    assert sorted(line.split()[1] for line in lines[::2]) == ["p0", "p1", "p2"]


def test_lock_is_reentrant_per_object(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    lock = Lock(client, f"{path}/lock")
    with lock:
        node, token = lock.node, lock.fencing_token
        assert lock.acquire(blocking=False)  # the same holder: a count, not a second node
        assert (lock.hold_count, lock.node, lock.fencing_token) == (2, node, token)
        assert client.get_children(f"{path}/lock") == [node.rsplit("/", 1)[1]]
        lock.release()
        assert lock.is_acquired  # still held once
        with paddock.Client(server.address, timeout=10) as other:
            assert not Lock(other, f"{path}/lock").acquire(blocking=False)
    assert lock.hold_count == 0
    assert client.get_children(f"{path}/lock") == []
    with pytest.raises(RuntimeError, match="not held"):
        lock.release()
