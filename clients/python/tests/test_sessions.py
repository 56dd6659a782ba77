"""Session lifecycle against a real server: close, expiry, heartbeats, resume after a lost
connection (with SetWatches), server restart, bounded queues and batching."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from conftest import FAST_SETTINGS, WAIT, Recorder
from server_process import ServerProcess
from tcp_proxy import TcpProxy

import paddock
from paddock import CreateMode, EventType, SessionState


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[TcpProxy]:
    p = TcpProxy("127.0.0.1", server.port).start()
    yield p
    p.close()


def wait_until(predicate, timeout: float = WAIT) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.01)  # polling a condition, bounded by the deadline


def test_ephemeral_vanishes_when_session_closes(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    other = paddock.Client(server.address, timeout=10)
    node = other.create(f"{path}/e", mode=CreateMode.EPHEMERAL)
    states = Recorder()
    other.add_listener(states)
    other.close()
    assert states.get() == SessionState.CLOSED
    # The close reply means the session and its ephemerals are gone (ZooKeeper's closeSession).
    assert client.exists(node) is None
    with pytest.raises(paddock.ClientClosedError):
        other.get_data("/")
    other.close()  # idempotent


def test_ephemeral_vanishes_on_expiry_and_client_reports_expired(
    client: paddock.Client, path: str, proxy: TcpProxy
) -> None:
    victim = paddock.Client(proxy.address, timeout=0.4, backoff=(0.02, 0.1))
    try:
        assert victim.negotiated_timeout == pytest.approx(0.4)
        states = Recorder()
        victim.add_listener(states)
        node = victim.create(f"{path}/e", mode=CreateMode.EPHEMERAL)
        gone = Recorder()
        assert client.exists(node, gone) is not None

        proxy.pause()  # the server keeps running but hears nothing from the victim
        states.wait_for(lambda s: s == SessionState.DISCONNECTED)
        event = gone.get()  # the server expired the session and deleted its ephemeral
        assert (event.type, event.path) == (EventType.NODE_DELETED, node)
        with pytest.raises(paddock.ConnectionLossError):
            victim.get_data("/")  # queued while disconnected, failed by a refused reconnect

        proxy.resume()
        states.wait_for(lambda s: s == SessionState.EXPIRED)
        assert victim.state == SessionState.EXPIRED
        with pytest.raises(paddock.SessionExpiredError):
            victim.get_data("/")
    finally:
        victim.close()


def test_heartbeats_keep_a_short_session_alive(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    with paddock.Client(server.address, timeout=0.4) as short:
        node = short.create(f"{path}/e", mode=CreateMode.EPHEMERAL)
        session = short.aio._session
        start = session.stats["pings"]
        # Nine pings at timeout/3 cover three full session timeouts with no request sent.
        wait_until(lambda: session.stats["pings"] - start >= 9)
        assert short.state == SessionState.CONNECTED
        stat = client.exists(node)
        assert stat is not None
        assert stat.ephemeral_owner == short.session_id


def test_resume_after_connection_loss_keeps_session_and_fires_missed_watches(
    client: paddock.Client, path: str, proxy: TcpProxy
) -> None:
    client.create(f"{path}/w", b"0")
    client.create(f"{path}/p")
    with paddock.Client(proxy.address, timeout=10, backoff=(0.02, 0.1)) as c:
        states = Recorder()
        c.add_listener(states)
        session_id = c.session_id
        eph = c.create(f"{path}/eph", mode=CreateMode.EPHEMERAL)
        data_w, exist_w, child_w, persistent_w = Recorder(), Recorder(), Recorder(), Recorder()
        c.get_data(f"{path}/w", data_w)
        assert c.exists(f"{path}/later", exist_w) is None
        c.get_children(f"{path}/p", child_w)
        c.add_watch(f"{path}/w", persistent_w)

        proxy.pause()
        states.wait_for(lambda s: s == SessionState.DISCONNECTED)
        # Changes the client misses while disconnected.
        client.set_data(f"{path}/w", b"1")
        client.create(f"{path}/later")
        client.create(f"{path}/p/kid")
        proxy.resume()

        assert states.wait_for(lambda s: s != SessionState.DISCONNECTED) == SessionState.CONNECTED
        assert c.session_id == session_id
        # SetWatches with the last zxid seen: the server fires what was missed at once.
        assert data_w.get().type == EventType.NODE_DATA_CHANGED
        assert exist_w.get() == paddock.WatchedEvent(
            EventType.NODE_CREATED, f"{path}/later", exist_w.seen[0].zxid
        )
        assert child_w.get().type == EventType.NODE_CHILDREN_CHANGED
        assert persistent_w.get().type == EventType.NODE_DATA_CHANGED
        # The session (and its ephemeral) survived; the persistent watch is still there.
        assert client.exists(eph).ephemeral_owner == session_id  # type: ignore[union-attr]
        client.set_data(f"{path}/w", b"2")
        assert persistent_w.get().type == EventType.NODE_DATA_CHANGED
        assert c.get_data(f"{path}/w")[0] == b"2"


def test_server_restart_reports_expired_or_resumes() -> None:
    s = ServerProcess("restart", FAST_SETTINGS).start()
    c = None
    try:
        c = paddock.Client(s.address, timeout=2, backoff=(0.02, 0.2))
        states = Recorder()
        c.add_listener(states)
        c.create("/restart-me", b"x")
        session_id = c.session_id
        s.restart()  # same port, same data dir
        assert states.get() == SessionState.DISCONNECTED
        outcome = states.wait_for(lambda st: st != SessionState.DISCONNECTED)
        if outcome == SessionState.EXPIRED:
            # In-memory server: the restarted member knows no sessions, so ours is expired.
            with pytest.raises(paddock.SessionExpiredError):
                c.exists("/")
            with paddock.Client(s.address, timeout=2) as fresh:
                assert fresh.session_id != session_id
                fresh.create("/after-restart", b"y")
                assert fresh.get_data("/after-restart")[0] == b"y"
        else:
            # Durable server: the session resumes.
            assert outcome == SessionState.CONNECTED
            assert c.session_id == session_id
            assert c.get_data("/restart-me")[0] == b"x"
    finally:
        if c is not None:
            c.close()
        s.cleanup()


def test_connect_to_nothing_fails_with_connection_loss() -> None:
    # Port 1 on loopback: nothing listens there.
    with pytest.raises(paddock.ConnectionLossError, match="could not connect"):
        paddock.Client("127.0.0.1:1", timeout=1, start_timeout=0.5)


async def test_request_queue_is_bounded(server: ServerProcess) -> None:
    async with paddock.aio.Client(server.address, max_queued_requests=5) as c:
        results = await asyncio.gather(*(c.exists("/") for _ in range(10)), return_exceptions=True)
        full = [r for r in results if isinstance(r, paddock.QueueFullError)]
        assert len(full) == 5
        assert "max_queued_requests=5" in str(full[0])
        assert all(r is None or not isinstance(r, Exception) for r in results if r not in full)


async def test_requests_issued_together_share_one_envelope(aclient: paddock.aio.Client) -> None:
    stats = aclient._session.stats
    stats["largest_envelope"] = 0
    results = await asyncio.gather(*(aclient.exists("/") for _ in range(100)))
    assert all(r is not None for r in results)
    assert stats["largest_envelope"] >= 100


async def test_async_listener_sees_closed(server: ServerProcess) -> None:
    c = paddock.aio.Client(server.address)
    states: list[SessionState] = []
    c.add_listener(states.append)
    await c.start()
    await c.close()
    assert states == [SessionState.CONNECTED, SessionState.CLOSED]
    with pytest.raises(paddock.ClientClosedError):
        await c.exists("/")
