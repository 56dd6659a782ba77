"""The double barrier with several sessions against a real server, in Curator's layout."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import WAIT
from server_process import ServerProcess

import paddock
from paddock.double_barrier import READY, DoubleBarrier

MEMBERS = 3


def test_members_enter_together_and_leave_together(server: ServerProcess, path: str) -> None:
    clients = [paddock.Client(server.address, timeout=10) for _ in range(MEMBERS)]
    barrier_path = f"{path}/double"
    entered = [threading.Event() for _ in range(MEMBERS)]
    left = [threading.Event() for _ in range(MEMBERS)]
    go_leave = threading.Event()
    failures: list[BaseException] = []

    def member(i: int) -> None:
        try:
            barrier = DoubleBarrier(clients[i], barrier_path, MEMBERS)
            if barrier.enter(WAIT):
                entered[i].set()
            assert go_leave.wait(WAIT)
            if barrier.leave(WAIT):
                left[i].set()
        except BaseException as e:
            failures.append(e)

    try:
        observer = clients[-1]
        observer.ensure_path(barrier_path)
        threads = [threading.Thread(target=member, args=(i,)) for i in range(MEMBERS - 1)]
        for t in threads:
            t.start()
        # The first two wait: nobody has entered while the count is short.
        deadline = time.monotonic() + WAIT
        while len(observer.get_children(barrier_path)) < MEMBERS - 1:
            assert time.monotonic() < deadline, "the first members did not enter"
            time.sleep(0.01)  # polling a condition, bounded by the deadline
        assert not any(e.is_set() for e in entered)
        assert observer.exists(f"{barrier_path}/{READY}") is None
        last = threading.Thread(target=member, args=(MEMBERS - 1,))
        last.start()
        threads.append(last)
        for e in entered:
            assert e.wait(WAIT), "a member did not pass the barrier"
        go_leave.set()
        for t in threads:
            t.join(WAIT)
        assert failures == []
        assert all(e.is_set() for e in left)
        assert observer.get_children(barrier_path) == []
    finally:
        for c in clients:
            c.close()


def test_enter_times_out_when_the_count_is_not_reached(client: paddock.Client, path: str) -> None:
    barrier = DoubleBarrier(client, f"{path}/short", 2)
    assert barrier.enter(0.2) is False
    assert barrier.leave(WAIT) is True
    assert client.get_children(f"{path}/short") == []
    with pytest.raises(ValueError, match="at least 1"):
        DoubleBarrier(client, f"{path}/bad", 0)
