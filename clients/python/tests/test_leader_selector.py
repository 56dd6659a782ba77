"""LeaderSelector (paddock.leader_selector) against a real server: handoff when the callback
returns, turns with auto_requeue, requeue(), and a leader cut off by a TCP proxy."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from conftest import WAIT, Recorder
from server_process import ServerProcess
from tcp_proxy import TcpProxy

import paddock
from paddock.leader_selector import LeaderSelector, Leadership, Participant
from paddock.session_events import ConnectionEvent


def poll(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


class Held:
    """A take_leadership callback the test ends by hand; ``started`` yields each turn's token."""

    def __init__(self) -> None:
        self.started: queue.Queue[Leadership] = queue.Queue()
        self.release = threading.Event()

    def __call__(self, leadership: Leadership) -> None:
        self.started.put(leadership)
        while not self.release.is_set() and not leadership.cancelled.is_set():
            self.release.wait(0.05)
        self.release.clear()

    def next(self) -> Leadership:
        return self.started.get(timeout=WAIT)


@pytest.fixture
def clients(server: ServerProcess) -> Iterator[Callable[[], paddock.Client]]:
    opened: list[paddock.Client] = []

    def open_one() -> paddock.Client:
        c = paddock.Client(server.address, timeout=10)
        opened.append(c)
        return c

    yield open_one
    for c in opened:
        c.close()


def test_handoff_when_the_callback_returns(
    client: paddock.Client, clients: Callable[[], paddock.Client], path: str
) -> None:
    sel = f"{path}/selector"
    ha, hb = Held(), Held()
    a = LeaderSelector(clients(), sel, ha, "a")
    a.start()
    lead_a = ha.next()
    b = LeaderSelector(clients(), sel, hb, "b")
    b.start()
    poll("b queued", lambda: len(client.get_children(sel)) == 2)
    assert b.participants() == [Participant("a", True), Participant("b", False)]
    assert (a.has_leadership, b.has_leadership) == (True, False)
    assert all("-lock-" in n and n.startswith("_c_") for n in client.get_children(sel))
    ha.release.set()
    lead_b = hb.next()
    assert lead_b.fencing_token > lead_a.fencing_token
    assert b.has_leadership
    # Without auto_requeue, a participant whose callback returned has left the queue.
    assert b.participants() == [Participant("b", True)]
    hb.release.set()
    a.close()
    b.close()
    assert client.get_children(sel) == []
    assert a.failures == []
    assert b.failures == []


def test_auto_requeue_takes_turns_and_requeue_queues_once(
    client: paddock.Client, clients: Callable[[], paddock.Client], path: str
) -> None:
    sel = f"{path}/selector"
    turns: list[str] = []

    def take(pid: str) -> Callable[[Leadership], None]:
        def lead(leadership: Leadership) -> None:
            turns.append(pid)
            # Lead until the other participant is queued, so turns must alternate.
            while len(client.get_children(sel)) < 2 and not leadership.cancelled.is_set():
                time.sleep(0.01)

        return lead

    a = LeaderSelector(clients(), sel, take("a"), "a", auto_requeue=True)
    b = LeaderSelector(clients(), sel, take("b"), "b", auto_requeue=True)
    a.start()
    b.start()
    poll("six turns", lambda: len(turns) >= 6)
    a.close()
    b.close()
    assert all(turns[i] != turns[i - 1] for i in range(1, 6)), turns

    held = Held()
    single = LeaderSelector(clients(), f"{path}/once", held)
    assert single.requeue()
    assert not single.requeue()
    held.next()
    held.release.set()
    poll("the first turn to end", single.requeue)
    held.next()
    single.close()


def test_leader_cut_off_is_cancelled_then_lost(
    client: paddock.Client, server: ServerProcess, path: str
) -> None:
    proxy = TcpProxy("127.0.0.1", server.port).start()
    cut_client = paddock.Client(proxy.address, timeout=2.0, backoff=(0.02, 0.2))
    try:
        sel = f"{path}/selector"
        held_cut, held_next = Held(), Held()
        cut = LeaderSelector(cut_client, sel, held_cut, "cut")
        events = Recorder()
        cut.add_listener(events)
        cut.start()
        leadership = held_cut.next()
        nxt = LeaderSelector(client, sel, held_next, "next")
        nxt.start()
        poll("next queued", lambda: len(client.get_children(sel)) == 2)
        proxy.pause()
        assert events.get() == ConnectionEvent.SUSPENDED
        assert leadership.cancelled.is_set()
        assert leadership.reason == "suspended"
        assert not cut.has_leadership
        # The next participant leads only once the cut session expired and its node went.
        held_next.next()
        assert nxt.participants() == [Participant("next", True)]
        proxy.resume()
        assert events.get() == ConnectionEvent.LOST
        assert events.seen == [ConnectionEvent.SUSPENDED, ConnectionEvent.LOST]
        held_next.release.set()
        nxt.close()
        cut.close()
        assert cut.failures == []
    finally:
        cut_client.close()
        proxy.close()
