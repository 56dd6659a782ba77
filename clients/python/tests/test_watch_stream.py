"""The resumable watch stream against a real server: start from a zxid or now, resume by itself
after a cut connection, a half-open one and the server's restart (durable data), the
compacted-history error with the oldest zxid, and a clean close."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import grpc
import pytest
from conftest import FAST_SETTINGS, WAIT
from server_process import ServerProcess
from tcp_proxy import TcpProxy

import paddock


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[TcpProxy]:
    p = TcpProxy("127.0.0.1", server.port).start()
    yield p
    p.close()


def test_resumes_after_a_cut_connection(client: paddock.Client, path: str, proxy: TcpProxy) -> None:
    start = client.exists(path).czxid
    client.create(f"{path}/a", b"1")
    with paddock.Client(proxy.address, timeout=10, backoff=(0.02, 0.1)) as c:
        stream = c.watch_stream(path, from_zxid=start, recursive=True, with_data=True)
        first = stream.next_batch(WAIT)
        assert [(ch.type, ch.path, ch.data) for ch in first.changes] == [
            (paddock.EventType.NODE_CREATED, f"{path}/a", b"1")
        ]
        proxy.pause()
        for i in range(5):
            client.set_data(f"{path}/a", str(i).encode())
        proxy.resume()
        last = first.zxid
        for i in range(5):
            batch = stream.next_batch(WAIT)
            assert batch.zxid > last
            last = batch.zxid
            assert [(ch.type, ch.data) for ch in batch.changes] == [
                (paddock.EventType.NODE_DATA_CHANGED, str(i).encode())
            ]
        assert stream.last_zxid is not None
        assert stream.last_zxid >= last
        stream.close()
        with pytest.raises(StopIteration):
            next(stream)


def test_reopens_after_a_half_open_connection(
    client: paddock.Client, path: str, proxy: TcpProxy
) -> None:
    """The proxy freezes the connection (open, carrying nothing, no FIN, no RST) while writes go
    on: with a 0.2 s progress interval the stream hears nothing for three intervals, gives the
    call up and reopens from its last zxid on a new connection. Without that watchdog it waits
    on the frozen connection for ever and next_batch's deadline fails the test."""
    start = client.exists(path).czxid
    with paddock.Client(proxy.address, timeout=10) as c:
        stream = c.watch_stream(path, from_zxid=start, with_data=True, progress_interval=0.2)
        client.set_data(path, b"before")
        last = stream.next_batch(WAIT).zxid
        proxy.freeze()
        for i in range(5):
            client.set_data(path, str(i).encode())
        for i in range(5):
            batch = stream.next_batch(WAIT)
            assert batch.zxid > last
            last = batch.zxid
            assert [(ch.type, ch.data) for ch in batch.changes] == [
                (paddock.EventType.NODE_DATA_CHANGED, str(i).encode())
            ]
        stream.close()


# Six nodes of this size make a multi under jute.maxbuffer (1 MiB - 1, the server's default);
# with data and previous data its changes are about twice that, so the server fragments them.
MULTI_BYTES = 150_000


def test_prev_data_event_types_and_a_fragmented_multi(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    """A multi that sets six nodes, watched with data and previous data, comes in fragments
    (a raw stream sees them) and is delivered as one whole batch; a stream filtered to
    NODE_DELETED skips the multi and gets the delete, with the node's last data as prev_data."""
    before, after = b"a" * MULTI_BYTES, b"b" * MULTI_BYTES
    nodes = [f"{path}/n{i}" for i in range(6)]
    for n in nodes:
        client.create(n, before)
    start = client.exists(nodes[-1]).czxid
    with (
        client.watch_stream(
            path, from_zxid=start, recursive=True, with_data=True, with_prev_data=True
        ) as every,
        client.watch_stream(
            path,
            from_zxid=start,
            recursive=True,
            with_prev_data=True,
            event_types=[paddock.EventType.NODE_DELETED],
        ) as deletes,
    ):
        client.multi([paddock.Op.set_data(n, after, 0) for n in nodes])
        client.delete(nodes[0])
        multi = every.next_batch(WAIT)
        assert [(c.type, c.path) for c in multi.changes] == [
            (paddock.EventType.NODE_DATA_CHANGED, n) for n in nodes
        ], "the multi's fragments joined in one batch"
        for c in multi.changes:
            assert (c.data, c.prev_data, c.data_null, c.prev_data_null) == (
                after,
                before,
                False,
                False,
            )
            assert c.stat is not None
            assert c.stat.version == 1
            assert c.prev_stat is not None
            assert c.prev_stat.version == 0
        deleted = every.next_batch(WAIT)
        [d] = deleted.changes
        assert (d.type, d.path, d.data, d.prev_data) == (
            paddock.EventType.NODE_DELETED,
            nodes[0],
            None,
            after,
        )
        only = deletes.next_batch(WAIT)
        assert only.zxid == deleted.zxid
        assert [(c.type, c.prev_data) for c in only.changes] == [
            (paddock.EventType.NODE_DELETED, after)
        ]
    assert raw_messages_for(server.address, path, start, multi.zxid) >= 2, "it was fragmented"
    with pytest.raises(paddock.BadArgumentsError, match="event_types"):
        client.watch_stream(path, event_types=[paddock.EventType.NONE])


def raw_messages_for(address: str, path: str, start: int, zxid: int) -> int:
    """How many WatchChanges messages transaction zxid takes on a raw fragmenting stream."""
    from paddock._pb import watch_pb2 as wpb
    from paddock._pb import watch_pb2_grpc as wgrpc

    request = wpb.WatchStreamRequest(
        path=path,
        recursive=True,
        from_zxid=start,
        with_data=True,
        with_prev_data=True,
        fragment=True,
    )
    with grpc.insecure_channel(address) as channel:
        n = 0
        for m in wgrpc.WatchServiceStub(channel).Watch(request, timeout=WAIT):
            if m.WhichOneof("kind") == "changes" and m.changes.zxid == zxid:
                n += 1
                if not m.changes.fragment:
                    return n
    raise AssertionError(f"transaction {zxid:#x} not seen on the raw stream")


async def test_async_from_now_with_children_events(aclient: paddock.aio.Client) -> None:
    root = await aclient.create(f"/py-ws-now-{uuid.uuid4().hex[:8]}")
    async with aclient.watch_stream(root, children_events=True, progress_interval=0.1) as stream:
        # Changes count from the stream's start: wait for the server's first progress.
        await asyncio.wait_for(stream.position(), WAIT)
        await aclient.create(f"{root}/child")
        await aclient.create(f"{root}/child/below")  # not root's child: not delivered
        await aclient.set_data(root, b"x")
        seen: list[tuple[paddock.EventType, str]] = []
        async with asyncio.timeout(WAIT):
            async for batch in stream:
                seen += [(ch.type, ch.path) for ch in batch.changes]
                if len(seen) >= 2:
                    break
    assert seen == [
        (paddock.EventType.NODE_CHILDREN_CHANGED, root),
        (paddock.EventType.NODE_DATA_CHANGED, root),
    ]
    with pytest.raises(paddock.BadArgumentsError, match="relative"):
        aclient.watch_stream("relative")


def test_compacted_history_and_server_restart() -> None:
    s = ServerProcess("watch-stream", {**FAST_SETTINGS, "watchHistorySize": "64"}).start()
    try:
        with paddock.Client(s.address, timeout=10, backoff=(0.02, 0.2)) as c:
            start = c.create("/old") and c.exists("/old").czxid
            for _ in range(12):
                c.set_data("/old", b"x" * (16 << 10))
            with (
                c.watch_stream("/old", from_zxid=start) as stale,
                pytest.raises(paddock.WatchCompactedError) as compacted,
            ):
                stale.next_batch(WAIT)
            oldest = compacted.value.oldest_zxid
            assert oldest > start
            assert compacted.value.path == "/old"

            with c.watch_stream("/old", from_zxid=oldest) as stream:
                last = c.exists("/old").mzxid
                zxid = stream.next_batch(WAIT).zxid
                assert zxid > oldest
                while zxid < last:
                    zxid = stream.next_batch(WAIT).zxid
                s.restart()
                with paddock.Client(s.address, timeout=10) as other:
                    other.set_data("/old", b"after")
                batch = stream.next_batch(WAIT)
                assert batch.zxid > zxid
                assert [(ch.type, ch.path) for ch in batch.changes] == [
                    (paddock.EventType.NODE_DATA_CHANGED, "/old")
                ]
    finally:
        s.cleanup()


async def test_aclose_ends_a_stream_task_that_swallowed_its_cancellation(
    aclient: paddock.aio.Client,
) -> None:
    # On Python 3.11 asyncio.wait_for drops a cancellation that lands as the read it waits on
    # completes; the stream's task then read on, and leaving `with` hung for good (seen in CI).
    # A task that swallows its first cancellation stands in for that race.
    stream = aclient.watch_stream("/", recursive=True)
    await stream.aclose()
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                swallowed += 1
                if swallowed == 1:
                    continue
                raise

    stream._task = asyncio.get_running_loop().create_task(stubborn())
    await asyncio.sleep(0)
    closing = asyncio.ensure_future(stream.aclose())
    # asyncio.wait, not wait_for: its timeout cancels nothing, so only aclose itself can end this.
    done, _ = await asyncio.wait({closing}, timeout=5)
    if not done:
        closing.cancel()
    assert closing in done
    assert swallowed == 2
