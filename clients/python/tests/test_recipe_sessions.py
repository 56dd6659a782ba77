"""A holder cut off by a TCP proxy: the lock, the leader election and the group member tell
SUSPENDED before the session expires, the next contender goes ahead only after the expiry, and
LOST comes when the holder is back and learns of it (as the TypeScript recipes do)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from conftest import WAIT, Recorder
from server_process import ServerProcess
from tcp_proxy import TcpProxy

import paddock
from paddock.group_member import GroupMember
from paddock.recipes import LeaderElection, Lock
from paddock.session_events import ConnectionEvent

# Short enough to reach expiry soon; long enough that SUSPENDED comes well before it.
CUT_TIMEOUT_S = 2.0


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[TcpProxy]:
    p = TcpProxy("127.0.0.1", server.port).start()
    yield p
    p.close()


@pytest.fixture
def cut_client(proxy: TcpProxy) -> Iterator[paddock.Client]:
    c = paddock.Client(proxy.address, timeout=CUT_TIMEOUT_S, backoff=(0.02, 0.2))
    yield c
    c.close()


def in_thread(target: Callable[[], object]) -> threading.Event:
    """Runs target in a thread; the event is set once it returned."""
    done = threading.Event()

    def run() -> None:
        target()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def cut_off(
    proxy: TcpProxy, observer: paddock.Client, node: str, events: Recorder, taken: threading.Event
) -> None:
    proxy.pause()
    assert events.get() == ConnectionEvent.SUSPENDED
    # Told before the expiry: the holder's node is still there and nobody went ahead.
    assert observer.exists(node) is not None
    assert not taken.is_set()
    assert taken.wait(WAIT), "the next contender did not go ahead after the expiry"
    assert observer.exists(node) is None
    proxy.resume()
    assert events.get() == ConnectionEvent.LOST
    assert events.seen == [ConnectionEvent.SUSPENDED, ConnectionEvent.LOST]


def test_lock_holder_cut_off(
    client: paddock.Client, cut_client: paddock.Client, proxy: TcpProxy, path: str
) -> None:
    holder = Lock(cut_client, f"{path}/lock", "cut")
    events = Recorder()
    holder.add_listener(events)
    assert holder.acquire()
    node, token = holder.node, holder.fencing_token
    assert node is not None
    assert token > 0
    assert holder.sequence >= 0
    waiter = Lock(client, f"{path}/lock", "next")
    taken = in_thread(waiter.acquire)
    cut_off(proxy, client, node, events, taken)
    assert not holder.is_acquired
    assert waiter.fencing_token > token
    holder.release()  # after LOST: nothing left to delete, no error
    waiter.release()


def test_leader_cut_off_stops_leading_then_resumes_or_loses(
    client: paddock.Client, cut_client: paddock.Client, proxy: TcpProxy, path: str
) -> None:
    leader = LeaderElection(cut_client, f"{path}/election", "cut")
    events = Recorder()
    leader.add_listener(events)
    leading = threading.Event()
    release = threading.Event()

    def lead() -> None:
        leading.set()
        release.wait(WAIT * 3)

    stepped_down = in_thread(lambda: leader.run(lead))
    assert leading.wait(WAIT)
    election = f"{path}/election"
    node = next(
        f"{election}/{n}"
        for n in client.get_children(election)
        if client.get_data(f"{election}/{n}")[0] == b"cut"
    )
    nxt = LeaderElection(client, f"{path}/election", "next")
    taken = in_thread(lambda: nxt.run(lambda: None))
    # A cut shorter than the timeout: SUSPENDED (not leading), then RECONNECTED (leading again).
    proxy.pause()
    assert events.get() == ConnectionEvent.SUSPENDED
    assert not leader.is_leader
    proxy.resume()
    assert events.get() == ConnectionEvent.RECONNECTED
    assert leader.is_leader
    events.seen.clear()
    cut_off(proxy, client, node, events, taken)
    assert not leader.is_leader
    release.set()
    assert stepped_down.wait(WAIT)


def test_member_cut_off(
    client: paddock.Client, cut_client: paddock.Client, proxy: TcpProxy, path: str
) -> None:
    member = GroupMember(cut_client, f"{path}/group", "cut", b"x")
    events = Recorder()
    member.add_listener(events)
    member.join()
    assert member.fencing_token > 0
    observer = GroupMember(client, f"{path}/group", "observer")
    left = threading.Event()

    def watch_view() -> None:
        changed = threading.Event()
        while "cut" in observer.members(lambda _: changed.set()):
            assert changed.wait(WAIT * 3)
            changed.clear()
        left.set()

    threading.Thread(target=watch_view, daemon=True).start()
    cut_off(proxy, client, f"{path}/group/cut", events, left)
    member.leave()  # after LOST: nothing left to delete, no error
