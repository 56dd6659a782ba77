"""The session machine behind the asyncio client: one bidi stream at a time, batching,
heartbeats, reconnect with backoff and resume (PROTOCOL.md).

Guarantees and who keeps them:
- FIFO: requests get xids in the order they are sent and the server answers in that order, so
  ``_inflight`` is a FIFO keyed by xid; a reply for another xid is a protocol error and drops
  the connection.
- A watch event reaches its watchers before any later reply resolves its future: messages of an
  envelope are handled synchronously in order, and watchers run (or are queued, for the
  synchronous client) before the next message is looked at.
- Batching: ``submit`` only queues; one flush per event-loop turn packs everything queued into
  envelopes under ``max_request_bytes``, never exceeding ``max_outstanding_requests`` in flight.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc

from .. import errors
from .._codec import auth_bytes
from .._pb import data_pb2 as pb
from .._pb import session_pb2 as spb
from .._watches import WatchRegistry
from ..tls import TLS
from ..types import EventType, SessionState, WatchedEvent, WatcherType
from ._wire import (
    _MAX_OUTSTANDING_DEFAULT,
    _MAX_REQUEST_BYTES_DEFAULT,
    _TERMINAL,
    _XID_MAX,
    _Conn,
    _ConnectRefused,
    _error_from_pb,
    _Pending,
    open_session_stream,
    parse_servers,
)

log = logging.getLogger("paddock")

T = TypeVar("T")
Dispatch = Callable[..., None]


class Session:
    def __init__(
        self,
        servers: str | Sequence[str],
        *,
        timeout: float,
        auth: Sequence[tuple[str, str | bytes]],
        request_timeout: float | None,
        max_queued_requests: int,
        connect_timeout: float | None,
        backoff: tuple[float, float],
        channel_options: Sequence[tuple[str, Any]],
        dispatch: Dispatch,
        tls: TLS | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be > 0 seconds")
        if max_queued_requests < 1:
            raise ValueError("max_queued_requests must be >= 1")
        self.servers = parse_servers(servers)
        random.shuffle(self.servers)  # spread clients over the ensemble, as ZooKeeper does
        self.timeout_ms = int(timeout * 1000)
        self.auth: list[tuple[str, bytes]] = [(s, auth_bytes(c)) for s, c in auth]
        self.request_timeout_ms = int(request_timeout * 1000) if request_timeout else 0
        self.max_queued_requests = max_queued_requests
        self.connect_timeout = connect_timeout
        self.backoff_min, self.backoff_max = backoff
        self.channel_options = [*(tls.channel_options() if tls else []), *channel_options]
        self.credentials = tls.credentials() if tls else None
        self.dispatch = dispatch

        self.state: SessionState | None = None
        self.session_id = 0
        self.password = b""
        self.negotiated_timeout_ms = 0
        self.last_zxid = 0
        self.max_request_bytes = _MAX_REQUEST_BYTES_DEFAULT
        self.max_outstanding = _MAX_OUTSTANDING_DEFAULT
        self.server: str | None = None
        self.registry = WatchRegistry()
        self.listeners: list[Callable[[SessionState], Any]] = []

        self._queue: collections.deque[_Pending] = collections.deque()
        self._inflight: collections.OrderedDict[int, _Pending] = collections.OrderedDict()
        self._removals: collections.deque[tuple[str, WatcherType]] = collections.deque()
        self._xid = 0
        self._conn: _Conn | None = None
        self._connected = False
        self._closing = False  # close() started: a dropped stream now means closed, not lost
        self._flush_scheduled = False
        self._ping_queued = False
        self._last_send = 0.0
        self._run_task: asyncio.Task[None] | None = None
        self._first: asyncio.Future[None] | None = None
        self._server_index = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        # Counters for observability (and for tests that check batching and heartbeats).
        self.stats = {"envelopes_sent": 0, "requests_sent": 0, "largest_envelope": 0, "pings": 0}

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self, wait: float | None) -> None:
        if self._run_task is not None:
            raise errors.InvalidStateError("client already started")
        self._loop = asyncio.get_running_loop()
        self._first = self._loop.create_future()
        self._run_task = self._loop.create_task(self._run(), name="paddock-session")
        try:
            await asyncio.wait_for(asyncio.shield(self._first), wait)
        except asyncio.TimeoutError:
            await self.close(0)
            raise errors.ConnectionLossError(
                f"could not connect to any of {','.join(self.servers)} within {wait}s"
            ) from None

    async def close(self, wait: float | None) -> None:
        if self.state in _TERMINAL:
            await self._stop_run()
            return
        self._closing = True
        if self._connected:
            fut = self._enqueue(
                spb.Request(close=spb.CloseSessionRequest()), None, bypass_limit=True
            )
            limit = wait if wait is not None else max(self.negotiated_timeout_ms / 1000, 1.0)
            with contextlib.suppress(errors.PaddockError, asyncio.TimeoutError):
                await asyncio.wait_for(fut, limit)
        self._terminate(SessionState.CLOSED, errors.ClientClosedError("client closed"))
        await self._stop_run()

    async def _stop_run(self) -> None:
        task, self._run_task = self._run_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _set_state(self, state: SessionState) -> None:
        if self.state == state:
            return
        self.state = state
        for listener in list(self.listeners):
            self.dispatch(listener, state)

    def _terminate(self, state: SessionState, error: errors.PaddockError) -> None:
        """Ends the session for good: fails every request and drops all watches."""
        if self.state in _TERMINAL:
            return
        self._connected = False
        if self._conn is not None:
            self._conn.kill(error)
        self._fail_inflight(error)
        self._fail_queued(error)
        self.registry.clear()
        self._removals.clear()
        if self._first is not None and not self._first.done():
            self._first.set_exception(error)
            self._first.exception()  # mark retrieved: start() may have given up already
        self._set_state(state)

    def terminal_error(self) -> errors.PaddockError | None:
        if self.state == SessionState.EXPIRED:
            return errors.SessionExpiredError("session expired")
        if self.state == SessionState.CLOSED:
            return errors.ClientClosedError("client closed")
        if self.state == SessionState.AUTH_FAILED:
            return errors.AuthFailedError("authentication failed; session closed")
        if self._run_task is None:
            return errors.InvalidStateError("client not started: use `async with` or start()")
        return None

    # ---- submitting ------------------------------------------------------------------------

    def submit(
        self, request: spb.Request, convert: Callable[[spb.Reply], T], path: str = ""
    ) -> Awaitable[T]:
        return self._enqueue(request, convert, path=path)

    def submit_removal(
        self, request: spb.Request, convert: Callable[[spb.Reply], T], path: str, kind: WatcherType
    ) -> Awaitable[T]:
        return self._enqueue(request, convert, path=path, removal=(path, kind))

    def _enqueue(
        self,
        request: spb.Request,
        convert: Callable[[spb.Reply], Any] | None,
        *,
        path: str = "",
        removal: tuple[str, WatcherType] | None = None,
        bypass_limit: bool = False,
    ) -> asyncio.Future[Any]:
        err = self.terminal_error()
        if err is not None:
            raise err
        if not bypass_limit and len(self._queue) >= self.max_queued_requests:
            raise errors.QueueFullError(
                f"{len(self._queue)} requests already queued (max_queued_requests="
                f"{self.max_queued_requests}); the server is slow or unreachable",
                path,
            )
        assert self._loop is not None
        if self.request_timeout_ms:
            request.timeout_ms = self.request_timeout_ms
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._queue.append(_Pending(request, convert, fut, path, removal))
        self._schedule_flush()
        return fut

    def _schedule_flush(self) -> None:
        if self._connected and not self._flush_scheduled and self._queue:
            assert self._loop is not None
            self._flush_scheduled = True
            # call_soon runs after every callback already ready in this loop turn, so all
            # requests issued in one turn leave in one envelope.
            self._loop.call_soon(self._flush)

    def _next_xid(self) -> int:
        self._xid = self._xid + 1 if self._xid < _XID_MAX else 1
        return self._xid

    def _flush(self) -> None:
        self._flush_scheduled = False
        conn = self._conn
        if conn is None or not self._connected:
            return
        batch: list[spb.ClientMessage] = []
        size = 0
        while self._queue and len(self._inflight) < self.max_outstanding:
            p = self._queue.popleft()
            if p.future is not None and p.future.done():
                continue  # the caller gave up before it was sent
            p.request.xid = self._next_xid()
            if p.request.WhichOneof("op") == "ping":
                self._ping_queued = False
                self.stats["pings"] += 1
            if p.removal is not None:
                self._removals.append(p.removal)
            msg = spb.ClientMessage(request=p.request)
            n = msg.ByteSize() + 6  # field tag and length prefix in the envelope
            if batch and size + n > self.max_request_bytes:
                self._send(conn, batch)
                batch, size = [], 0
            batch.append(msg)
            size += n
            self._inflight[p.request.xid] = p
        if batch:
            self._send(conn, batch)

    def _send(self, conn: _Conn, batch: list[spb.ClientMessage]) -> None:
        conn.out.put_nowait(spb.SessionRequest(messages=batch))
        assert self._loop is not None
        self._last_send = self._loop.time()
        st = self.stats
        st["envelopes_sent"] += 1
        st["requests_sent"] += len(batch)
        st["largest_envelope"] = max(st["largest_envelope"], len(batch))

    def _fail_inflight(self, error: errors.PaddockError) -> None:
        pending = list(self._inflight.values())
        self._inflight.clear()
        self._removals.clear()
        for p in pending:
            self._fail(p, error)

    def _fail_queued(self, error: errors.PaddockError) -> None:
        pending = list(self._queue)
        self._queue.clear()
        self._ping_queued = False
        for p in pending:
            self._fail(p, error)

    @staticmethod
    def _fail(p: _Pending, error: errors.PaddockError) -> None:
        if p.future is not None and not p.future.done():
            e = type(error)(error.message, p.path or error.path)
            p.future.set_exception(e)

    # ---- the connection loop ---------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        try:
            while self.state not in _TERMINAL and not self._closing:
                server = self.servers[self._server_index % len(self.servers)]
                self._server_index += 1
                try:
                    conn = await self._connect(server)
                except _ConnectRefused as r:
                    if r.state in _TERMINAL:
                        self._terminate(r.state, r.error)
                        return
                    log.info("paddock: %s refused the session: %s", server, r.error)
                    conn = None
                except Exception as e:  # any failure to connect: try the next server
                    log.debug("paddock: connect to %s failed: %r", server, e)
                    conn = None
                if conn is None:
                    # ZooKeeper fails requests queued while disconnected on each failed attempt.
                    self._fail_queued(errors.ConnectionLossError(f"cannot reach {server}"))
                    attempt += 1
                    delay = min(self.backoff_max, self.backoff_min * 2 ** min(attempt, 16))
                    await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                    continue
                attempt = 0
                await self._serve(conn)
        finally:
            if self._conn is not None:
                await self._teardown(self._conn)

    def _connect_request(self) -> spb.ConnectRequest:
        req = spb.ConnectRequest(
            session_id=self.session_id,
            password=self.password,
            timeout_ms=self.timeout_ms,
            last_zxid_seen=self.last_zxid,
            auth=[pb.AddAuthRequest(scheme=s, auth=a) for s, a in self.auth],
        )
        if self.session_id and not self.registry.is_empty():
            req.watches.CopyFrom(self.registry.set_watches(self.last_zxid))
        return req

    async def _connect(self, server: str) -> _Conn:
        limit = self.connect_timeout
        if limit is None:
            limit = max(self.timeout_ms / 1000 / len(self.servers), 1.0)
        conn, first = await open_session_stream(
            server, self._connect_request(), self.channel_options, limit, self.credentials
        )
        self._accept(conn, first)
        return conn

    def _accept(self, conn: _Conn, resp: spb.SessionResponse) -> None:
        c = resp.messages[0].connected
        if self.session_id and c.session_id != self.session_id:
            log.warning("paddock: server gave session %x for %x", c.session_id, self.session_id)
        self.session_id = c.session_id
        self.password = c.password
        self.negotiated_timeout_ms = c.timeout_ms
        self.max_request_bytes = c.max_request_bytes or _MAX_REQUEST_BYTES_DEFAULT
        self.max_outstanding = c.max_outstanding_requests or _MAX_OUTSTANDING_DEFAULT
        self.server = conn.server
        assert self._loop is not None
        conn.last_recv = self._last_send = self._loop.time()
        self._conn = conn
        self._connected = True
        for msg in resp.messages[1:]:
            self._handle(conn, msg)

    async def _serve(self, conn: _Conn) -> None:
        assert self._loop is not None
        tasks = [
            self._loop.create_task(self._reader(conn), name="paddock-reader"),
            self._loop.create_task(self._writer(conn), name="paddock-writer"),
            self._loop.create_task(self._heartbeat(conn), name="paddock-heartbeat"),
        ]
        if not conn.dead.is_set():
            self._set_state(SessionState.CONNECTED)
            if self._first is not None and not self._first.done():
                self._first.set_result(None)
            self._schedule_flush()
        try:
            await conn.dead.wait()
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._teardown(conn)
        if self.state in _TERMINAL:
            return
        self._fail_inflight(errors.ConnectionLossError(f"connection to {conn.server} lost"))
        if self._closing:
            return  # close() finishes the job (state CLOSED), no reconnect
        log.info("paddock: connection to %s lost: %s", conn.server, conn.cause)
        self._set_state(SessionState.DISCONNECTED)

    async def _teardown(self, conn: _Conn) -> None:
        if self._conn is conn:
            self._conn = None
            self._connected = False
        conn.kill(errors.ConnectionLossError("connection closed"))
        conn.call.cancel()
        await conn.channel.close()

    async def _reader(self, conn: _Conn) -> None:
        assert self._loop is not None
        try:
            while True:
                resp = await conn.call.read()
                if resp is grpc.aio.EOF:
                    conn.kill(errors.ConnectionLossError(f"{conn.server} ended the stream"))
                    return
                conn.last_recv = self._loop.time()
                for msg in resp.messages:
                    if conn.dead.is_set():
                        return
                    self._handle(conn, msg)
        except grpc.RpcError as e:
            conn.kill(e)

    async def _writer(self, conn: _Conn) -> None:
        try:
            while True:
                envelope = await conn.out.get()
                await conn.call.write(envelope)
        except (grpc.RpcError, asyncio.InvalidStateError) as e:
            conn.kill(e)

    async def _heartbeat(self, conn: _Conn) -> None:
        # ZooKeeper's rule: ping after a third of the timeout without sending; give up on the
        # connection after two thirds without hearing anything.
        assert self._loop is not None
        seconds = self.negotiated_timeout_ms / 1000
        ping_after, read_timeout = seconds / 3, seconds * 2 / 3
        while not conn.dead.is_set():
            now = self._loop.time()
            if now - conn.last_recv >= read_timeout:
                conn.kill(
                    errors.ConnectionLossError(f"no message from {conn.server} in {seconds}s")
                )
                return
            if not self._ping_queued and now - self._last_send >= ping_after:
                self._ping_queued = True
                self._queue.appendleft(_Pending(spb.Request(ping=spb.PingRequest()), None, None))
                self._flush()
            wake = conn.last_recv + read_timeout
            if not self._ping_queued:
                wake = min(wake, self._last_send + ping_after)
            await asyncio.sleep(max(wake - self._loop.time(), 0.001))

    # ---- incoming --------------------------------------------------------------------------

    def _handle(self, conn: _Conn, msg: spb.ServerMessage) -> None:
        kind = msg.WhichOneof("kind")
        if kind == "reply":
            self._on_reply(conn, msg.reply)
        elif kind == "event":
            self._on_event(msg.event)
        elif kind == "session_event":
            ev = msg.session_event
            if ev.state in (SessionState.EXPIRED, SessionState.CLOSED, SessionState.AUTH_FAILED):
                state = SessionState(ev.state)
                default = {
                    SessionState.EXPIRED: errors.SessionExpiredError,
                    SessionState.CLOSED: errors.ClientClosedError,
                    SessionState.AUTH_FAILED: errors.AuthFailedError,
                }[state]
                self._terminate(state, _error_from_pb(ev.error, default))
            else:
                conn.kill(
                    errors.ConnectionLossError(f"{conn.server} sent session state {ev.state}")
                )
        else:
            conn.kill(errors.MarshallingError(f"unexpected {kind} from {conn.server}"))

    def _on_reply(self, conn: _Conn, reply: spb.Reply) -> None:
        if not self._inflight:
            conn.kill(errors.MarshallingError(f"reply xid {reply.xid} with nothing in flight"))
            return
        xid, p = next(iter(self._inflight.items()))
        if xid != reply.xid:
            conn.kill(errors.MarshallingError(f"reply xid {reply.xid}, expected {xid}"))
            return
        del self._inflight[xid]
        if p.removal is not None and self._removals and self._removals[0] == p.removal:
            self._removals.popleft()
        self.last_zxid = max(self.last_zxid, reply.zxid)
        if p.convert is None:  # ping, close
            if p.future is not None and not p.future.done():
                p.future.set_result(None)
        else:
            try:
                value = p.convert(reply)
            except errors.PaddockError as e:
                if p.future is not None and not p.future.done():
                    p.future.set_exception(e)
            else:
                if p.future is not None and not p.future.done():
                    p.future.set_result(value)
        if self._queue:
            self._schedule_flush()

    def _on_event(self, ev: spb.WatchEvent) -> None:
        self.last_zxid = max(self.last_zxid, ev.zxid)
        event = WatchedEvent(EventType(ev.type), ev.path, ev.zxid)
        removed = None
        if event.type == EventType.PERSISTENT_WATCH_REMOVED:
            removed = next((k for p, k in self._removals if p == event.path), None)
        for watcher in self.registry.materialize(event, removed):
            self.dispatch(watcher, event)
