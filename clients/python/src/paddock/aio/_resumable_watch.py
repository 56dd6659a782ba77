"""The resumable watch stream (WatchService/Watch) as an async iterator of change batches.

Each batch is one committed transaction's changes, in zxid order, each delivered once (a
transaction the server sent in fragments comes joined, as one batch). When the stream breaks
(the server went away, or cut a slow consumer, or nothing at all came for three progress
intervals: a half-open connection) it is reopened, on the next server if need be, from the last
zxid received (a batch's or a progress notification's).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import grpc

from .. import errors
from .._pb import watch_pb2 as wpb
from .._pb import watch_pb2_grpc as wgrpc
from ..types import EventType
from ._watch_fragments import FragmentJoin, WatchBatch, WatchChange

if TYPE_CHECKING:
    from ._session import Session

__all__ = ["ResumableWatch", "WatchBatch", "WatchChange", "WatchCompactedError", "idle_timeout"]

_RETRY_MIN = 0.05
_RETRY_MAX = 1.0
_DONE = object()
# The server's progress interval when the request leaves it 0, and its clamp (ms).
_PROGRESS_DEFAULT_MS = 5000
_PROGRESS_MIN_MS = 100
_PROGRESS_MAX_MS = 600_000
# A stream silent for this many progress intervals is taken as broken: a connection that stopped
# carrying bytes without a FIN or RST (a dead peer, a dropped route) never errors.
_IDLE_INTERVALS = 3
_STREAM_EVENT_TYPES = (
    EventType.NODE_CREATED,
    EventType.NODE_DELETED,
    EventType.NODE_DATA_CHANGED,
    EventType.NODE_CHILDREN_CHANGED,
)


def idle_timeout(progress_interval_ms: int) -> float:
    """Seconds a stream may stay silent before it is reopened, for the interval requested."""
    ms = progress_interval_ms or _PROGRESS_DEFAULT_MS
    return min(max(ms, _PROGRESS_MIN_MS), _PROGRESS_MAX_MS) * _IDLE_INTERVALS / 1000


class WatchCompactedError(errors.APIError):
    """The start zxid is older than the server's history: re-read, then watch from
    ``oldest_zxid``."""

    def __init__(self, message: str = "", path: str = "", oldest_zxid: int = 0) -> None:
        super().__init__(message, path)
        self.oldest_zxid = oldest_zxid

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.path, self.oldest_zxid))


class ResumableWatch:
    """``async for batch in client.watch_stream("/app", recursive=True, from_zxid=z)``.

    Raises WatchCompactedError when the start is older than the history. ``aclose()`` (or
    leaving ``async with``) ends it; ``last_zxid`` is where a new stream would resume.
    """

    def __init__(
        self,
        session: Session,
        path: str,
        *,
        from_zxid: int | None,
        recursive: bool,
        with_data: bool,
        children_events: bool,
        progress_interval: float,
        max_queued: int,
        with_prev_data: bool = False,
        event_types: Iterable[EventType] = (),
    ) -> None:
        if not path.startswith("/") or (len(path) > 1 and path.endswith("/")):
            raise errors.BadArgumentsError(
                "watch stream path must be absolute, without a trailing /", path
            )
        if max_queued < 1 or progress_interval < 0:
            raise errors.BadArgumentsError(
                "watch stream max_queued must be >= 1, progress_interval >= 0", path
            )
        types = list(event_types)
        for t in types:
            if t not in _STREAM_EVENT_TYPES:
                raise errors.BadArgumentsError(
                    f"watch stream event_types: {t!r} is not one a watch stream carries "
                    "(NODE_CREATED, NODE_DELETED, NODE_DATA_CHANGED, NODE_CHILDREN_CHANGED)",
                    path,
                )
        self._session = session
        self.path = path
        self.last_zxid = from_zxid
        self._options = {
            "recursive": recursive,
            "with_data": with_data,
            "children_events": children_events,
            "progress_interval_ms": min(int(progress_interval * 1000), _PROGRESS_MAX_MS),
            "with_prev_data": with_prev_data,
            "event_types": [int(t) for t in types],
            # Always: FragmentJoin puts a transaction back together, so none is too large for
            # the server's reply limit.
            "fragment": True,
        }
        # A full queue stops the reader: grpc's flow control then lets the server cut us as a
        # slow consumer, and we resume from last_zxid.
        self._queue: asyncio.Queue[Any] = asyncio.Queue(max_queued)
        self._failure: BaseException | None = None
        self._positioned = asyncio.Event()
        if from_zxid is not None:
            self._positioned.set()
        self.server = session.servers[max(session._server_index - 1, 0) % len(session.servers)]
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def position(self) -> int:
        """Waits until the stream's position is known (at once with ``from_zxid``; else the
        server's first message) and returns it: changes after it are delivered."""
        await self._positioned.wait()
        assert self.last_zxid is not None
        return self.last_zxid

    def __aiter__(self) -> ResumableWatch:
        return self

    async def __anext__(self) -> WatchBatch:
        item = await self._queue.get()
        if item is _DONE:
            self._queue.put_nowait(_DONE)  # later calls end too
            if self._failure is not None:
                raise self._failure
            raise StopAsyncIteration
        return item  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        # Cancel until the task is over: on Python 3.11, asyncio.wait_for drops a cancellation that
        # lands as the read it waits on completes (fixed in 3.12), and the stream would read on.
        while not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=0.1)
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._end(None)

    async def __aenter__(self) -> ResumableWatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _end(self, failure: BaseException | None) -> None:
        if self._failure is None:
            self._failure = failure
        # Closed for good: batches nobody will read may make room for the end marker.
        while self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(_DONE)

    async def _run(self) -> None:
        servers = self._session.servers
        index = servers.index(self.server)
        failures = 0
        while True:
            self.server = servers[index % len(servers)]
            try:
                outcome = await self._once(self.server)
            except errors.PaddockError as e:
                self._failure = e
                await self._queue.put(_DONE)
                return
            if outcome == "here":
                failures = 0
                continue
            index += 1
            if outcome == "elsewhere":
                continue
            failures += 1
            if failures >= len(servers):
                await asyncio.sleep(
                    min(_RETRY_MIN * 2 ** min(failures - len(servers), 10), _RETRY_MAX)
                )

    async def _once(self, server: str) -> str:
        session = self._session
        request = wpb.WatchStreamRequest(path=self.path, **self._options)
        if self.last_zxid is not None:
            request.from_zxid = self.last_zxid
        # paddock-auth carries text: digest credentials are "user:password".
        metadata = [
            ("paddock-auth", "digest " + a.decode()) for s, a in session.auth if s == "digest"
        ]
        options = [("grpc.use_local_subchannel_pool", 1), *session.channel_options]
        channel = (
            grpc.aio.insecure_channel(server, options=options)
            if session.credentials is None
            else grpc.aio.secure_channel(server, session.credentials, options=options)
        )
        idle = idle_timeout(request.progress_interval_ms)
        # A broken stream drops a partly received transaction with its joiner: last_zxid is
        # still before it, so the next stream sends it whole.
        join = FragmentJoin(self.path)
        try:
            call = wgrpc.WatchServiceStub(channel).Watch(request, metadata=metadata)
            while True:
                # Only the wait for the server counts: a batch waiting for the reader in
                # _deliver is our silence, not the server's.
                try:
                    message = await asyncio.wait_for(call.read(), idle)
                except asyncio.TimeoutError:
                    call.cancel()
                    return "failed"
                if message is grpc.aio.EOF:
                    return "failed"
                kind = message.WhichOneof("kind")
                if kind == "progress":
                    join.progress(message.progress.zxid)
                    self._advance(message.progress.zxid)
                elif kind == "changes":
                    batch = join.add(message.changes, self.last_zxid)
                    if batch is not None:
                        await self._queue.put(batch)
                        self._advance(batch.zxid)
                elif kind == "canceled":
                    c = message.canceled
                    if c.reason == wpb.WATCH_CANCEL_REASON_COMPACTED:
                        raise WatchCompactedError(c.message, self.path, c.oldest_zxid)
                    self._advance(c.last_zxid)
                    return (
                        "elsewhere"
                        if c.reason == wpb.WATCH_CANCEL_REASON_MEMBER_UNAVAILABLE
                        else "here"
                    )
        except grpc.aio.AioRpcError as e:
            refused = {
                grpc.StatusCode.INVALID_ARGUMENT: errors.BadArgumentsError,
                grpc.StatusCode.PERMISSION_DENIED: errors.NoAuthError,
                grpc.StatusCode.UNAUTHENTICATED: errors.AuthFailedError,
            }.get(e.code())
            if refused is not None:
                raise refused(e.details() or "watch stream refused", self.path) from e
            return "failed"
        finally:
            await channel.close()

    def _advance(self, zxid: int) -> None:
        if self.last_zxid is None or zxid > self.last_zxid:
            self.last_zxid = zxid
            self._positioned.set()
