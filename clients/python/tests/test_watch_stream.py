"""The resumable watch stream against a real server: start from a zxid or now, resume by itself
after a cut connection and after the server's restart (durable data), the compacted-history
error with the oldest zxid, and a clean close."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

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
