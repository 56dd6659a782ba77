"""The synchronous client: the asyncio client run on a private I/O thread.

Calls block the calling thread; calls made from several threads in the same instant share one
envelope, and the ``*_async`` variants return a ``concurrent.futures.Future`` so one thread can
issue many requests at once (they are batched too). Watchers and session listeners run on one
"paddock-events" thread, in the order the events happened, so a watcher may call the client.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import Any

from . import errors
from .aio import Client as AioClient
from .children_pages import SyncChildrenPages
from .data_chunks import SyncDataChunks
from .ops import Op, OpResult
from .reads import ReadOp, ReadResult
from .resumable_watch import WatchStreamIterator
from .tls import TLS
from .txn import SyncTxn
from .types import (
    ACL,
    AclList,
    AddWatchMode,
    ClientInfo,
    CreateMode,
    SessionState,
    WatchedEvent,
    WatcherType,
    ZnodeStat,
)

log = logging.getLogger("paddock")

Watcher = Callable[[WatchedEvent], Any]
Listener = Callable[[SessionState], Any]


class _EventThread:
    """Runs watchers and listeners in order on one thread, from a bounded queue."""

    def __init__(self, max_queued: int) -> None:
        self._q: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue(
            max_queued
        )
        self.dropped = 0
        self._thread = threading.Thread(target=self._main, name="paddock-events", daemon=True)
        self._thread.start()

    def dispatch(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            self._q.put_nowait((fn, args))
        except queue.Full:
            # Blocking here would stall the I/O thread (and every session heartbeat with it).
            self.dropped += 1
            log.error(
                "paddock: event queue full (%d callbacks waiting); dropped %r%r: a watcher or "
                "listener is blocking the paddock-events thread",
                self._q.maxsize,
                fn,
                args,
            )

    def _main(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            fn, args = item
            try:
                fn(*args)
            except Exception:
                log.exception("paddock: callback %r failed", fn)

    def stop(self) -> None:
        self._q.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join()

    @property
    def thread(self) -> threading.Thread:
        return self._thread


class Client(SyncChildrenPages, SyncDataChunks, SyncTxn):
    """A synchronous Paddock client (one session, kept across reconnects).

    Connects in the constructor (unless ``start=False``); use it as a context manager to close
    the session at the end::

        with paddock.Client("127.0.0.1:2181", timeout=10) as client:
            client.create("/app", b"config")

    ``timeout`` is the requested session timeout (seconds); ``auth`` a list of (scheme,
    credential) pairs, e.g. ``[("digest", "alice:secret")]``. ``max_queued_requests`` bounds the
    requests waiting to be sent (QueueFullError past it); ``max_queued_events`` bounds the
    callbacks waiting for the events thread. ``tls`` (a ``paddock.TLS``) connects over TLS (and
    mutual TLS with a client certificate) to a secureClientPort.
    """

    def __init__(
        self,
        servers: str | Sequence[str],
        *,
        timeout: float = 10.0,
        auth: Sequence[tuple[str, str | bytes]] = (),
        request_timeout: float | None = None,
        max_queued_requests: int = 10_000,
        max_queued_events: int = 100_000,
        connect_timeout: float | None = None,
        backoff: tuple[float, float] = (0.05, 2.0),
        channel_options: Sequence[tuple[str, Any]] = (),
        tls: TLS | None = None,
        start: bool = True,
        start_timeout: float | None = None,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._io = threading.Thread(target=self._loop.run_forever, name="paddock-io", daemon=True)
        self._io.start()
        self._events = _EventThread(max_queued_events)
        self._closed = False
        self.aio = AioClient(
            servers,
            timeout=timeout,
            auth=auth,
            request_timeout=request_timeout,
            max_queued_requests=max_queued_requests,
            connect_timeout=connect_timeout,
            backoff=backoff,
            channel_options=channel_options,
            tls=tls,
            _dispatch=self._events.dispatch,
        )
        if start:
            try:
                self.start(start_timeout)
            except BaseException:
                self._shutdown_threads()
                raise

    # ---- plumbing --------------------------------------------------------------------------

    def _future(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        if self._closed and not self._io.is_alive():
            coro.close()
            raise errors.ClientClosedError("client closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        if threading.current_thread() is self._io:
            coro.close()
            raise RuntimeError("blocking paddock call from the paddock I/O thread")
        return self._future(coro).result()

    def _shutdown_threads(self) -> None:
        if self._io.is_alive():
            # Let grpc's own tasks finish (or cancel them) before the loop goes away.
            async def drain() -> None:
                me = asyncio.current_task()
                rest = [t for t in asyncio.all_tasks() if t is not me]
                for t in rest:
                    t.cancel()
                await asyncio.gather(*rest, return_exceptions=True)

            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(drain(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._io.join()
            self._loop.close()
        self._events.stop()

    # ---- lifecycle and state ---------------------------------------------------------------

    def start(self, timeout: float | None = None) -> Client:
        """Connects (waits up to ``timeout`` s, default the session timeout)."""
        self._run(self.aio.start(timeout))
        return self

    def close(self, timeout: float | None = None) -> None:
        """Closes the session (ephemerals go at once), then the threads. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._run(self.aio.close(timeout))
        finally:
            self._shutdown_threads()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def state(self) -> SessionState | None:
        return self.aio.state

    @property
    def connected(self) -> bool:
        return self.aio.connected

    @property
    def session_id(self) -> int:
        return self.aio.session_id

    @property
    def negotiated_timeout(self) -> float:
        return self.aio.negotiated_timeout

    @property
    def last_zxid(self) -> int:
        return self.aio.last_zxid

    @property
    def dropped_events(self) -> int:
        """Callbacks dropped because the events queue was full (should stay 0)."""
        return self._events.dropped

    def add_listener(self, listener: Listener) -> None:
        """``listener(state)`` runs on the events thread at each session state change."""
        self._loop.call_soon_threadsafe(self.aio.add_listener, listener)

    def remove_listener(self, listener: Listener) -> None:
        self._loop.call_soon_threadsafe(self.aio.remove_listener, listener)

    # ---- calls (see paddock.aio.Client for the semantics) ----------------------------------

    def create(
        self,
        path: str,
        value: bytes = b"",
        acl: AclList | None = None,
        mode: CreateMode = CreateMode.PERSISTENT,
        ttl: int = 0,
        *,
        include_stat: bool = False,
    ) -> Any:
        return self._run(self.aio.create(path, value, acl, mode, ttl, include_stat=include_stat))

    def ensure_path(self, path: str, acl: AclList | None = None) -> None:
        self._run(self.aio.ensure_path(path, acl))

    def delete(self, path: str, version: int = -1) -> None:
        self._run(self.aio.delete(path, version))

    def exists(
        self, path: str, watch: Watcher | None = None, *, linearizable: bool = False
    ) -> ZnodeStat | None:
        return self._run(self.aio.exists(path, watch, linearizable=linearizable))

    def get_data(
        self, path: str, watch: Watcher | None = None, *, linearizable: bool = False
    ) -> tuple[bytes, ZnodeStat]:
        return self._run(self.aio.get_data(path, watch, linearizable=linearizable))

    def set_data(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        return self._run(self.aio.set_data(path, value, version))

    def get_children(
        self,
        path: str,
        watch: Watcher | None = None,
        *,
        include_stat: bool = False,
        linearizable: bool = False,
    ) -> Any:
        return self._run(
            self.aio.get_children(path, watch, include_stat=include_stat, linearizable=linearizable)
        )

    def get_all_children_number(self, path: str) -> int:
        return self._run(self.aio.get_all_children_number(path))

    def get_ephemerals(self, prefix: str = "/") -> list[str]:
        return self._run(self.aio.get_ephemerals(prefix))

    def get_acl(self, path: str) -> tuple[list[ACL], ZnodeStat]:
        return self._run(self.aio.get_acl(path))

    def set_acl(self, path: str, acl: AclList, version: int = -1) -> ZnodeStat:
        return self._run(self.aio.set_acl(path, acl, version))

    def sync(self, path: str = "/") -> str:
        return self._run(self.aio.sync(path))

    def multi_read(self, ops: Sequence[ReadOp]) -> list[ReadResult]:
        return self._run(self.aio.multi_read(ops))

    def multi(self, ops: Sequence[Op]) -> list[OpResult]:
        return self._run(self.aio.multi(ops))

    def add_watch(
        self, path: str, watcher: Watcher, mode: AddWatchMode = AddWatchMode.PERSISTENT
    ) -> None:
        self._run(self.aio.add_watch(path, watcher, mode))

    def remove_watches(self, path: str, watcher_type: WatcherType = WatcherType.ANY) -> None:
        self._run(self.aio.remove_watches(path, watcher_type))

    def add_auth(self, scheme: str, credential: str | bytes) -> None:
        self._run(self.aio.add_auth(scheme, credential))

    def who_am_i(self) -> list[ClientInfo]:
        return self._run(self.aio.who_am_i())

    def reconfig(
        self,
        joining: str | Sequence[str] | None = None,
        leaving: str | Sequence[str | int] | None = None,
        new_members: str | Sequence[str] | None = None,
        from_config: int = -1,
    ) -> tuple[bytes, ZnodeStat]:
        """Changes the ensemble's members; see ``paddock.aio.Client.reconfig``."""
        return self._run(self.aio.reconfig(joining, leaving, new_members, from_config))

    def watch(self, path: str, *, recursive: bool = False, max_queued: int = 1000) -> EventQueue:
        """A persistent watch read as a blocking iterator::

        with client.watch("/app", recursive=True) as events:
            event = events.get(timeout=5)
        """
        return EventQueue(self, path, recursive, max_queued)

    def watch_stream(self, path: str, **options: Any) -> WatchStreamIterator:
        """A resumable watch stream as a blocking iterator of WatchBatch (the options of
        ``paddock.aio.Client.watch_stream``); it reopens by itself after a broken stream."""
        return WatchStreamIterator(self, path, options)

    # Non-blocking variants: same arguments, return a concurrent.futures.Future.
    def submit(self, method: str, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        """Starts ``method`` (e.g. "create") without waiting; returns its Future."""
        if method not in _ASYNC_METHODS:
            raise ValueError(f"not a client call: {method!r}")
        return self._future(getattr(self.aio, method)(*args, **kwargs))

    def _discard_persistent(self, path: str, watcher: Watcher, recursive: bool) -> bool:
        async def discard() -> bool:
            return self.aio._discard_persistent(path, watcher, recursive)

        return self._run(discard())


_ASYNC_METHODS = (
    "create",
    "ensure_path",
    "delete",
    "exists",
    "get_data",
    "set_data",
    "get_children",
    "get_all_children_number",
    "get_ephemerals",
    "get_acl",
    "set_acl",
    "sync",
    "multi",
    "multi_read",
    "get_children_page",
    "count_children",
    "txn",
    "get_data_chunks",
    "add_watch",
    "remove_watches",
    "add_auth",
    "who_am_i",
)


def _make_async(name: str) -> Callable[..., concurrent.futures.Future[Any]]:
    def method(self: Client, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        return self.submit(name, *args, **kwargs)

    method.__name__ = f"{name}_async"
    method.__doc__ = f"Like {name}, without waiting: returns a concurrent.futures.Future."
    return method


for _name in _ASYNC_METHODS:
    setattr(Client, f"{_name}_async", _make_async(_name))


class EventQueue:
    """Events of one persistent watch, read with ``get`` or by iterating (blocking)."""

    def __init__(self, client: Client, path: str, recursive: bool, max_queued: int) -> None:
        self._client = client
        self.path = path
        self.recursive = recursive
        self._q: queue.Queue[WatchedEvent | BaseException] = queue.Queue(max_queued)
        self._started = False
        self._closed = False

    def _put(self, item: WatchedEvent | BaseException) -> None:
        try:
            self._q.put_nowait(item)
        except queue.Full:
            # Replace the backlog with the error so the reader learns at once.
            with self._q.mutex:
                self._q.queue.clear()
            self._q.put_nowait(
                errors.QueueFullError(f"watch queue overflowed ({self._q.maxsize})", self.path)
            )

    def _on_event(self, event: WatchedEvent) -> None:
        if not self._closed:
            self._put(event)

    def _on_state(self, state: SessionState) -> None:
        if state == SessionState.EXPIRED:
            self._put(errors.SessionExpiredError("session expired", self.path))
        elif state == SessionState.CLOSED:
            self._put(errors.ClientClosedError("client closed", self.path))

    def start(self) -> EventQueue:
        if not self._started:
            self._started = True
            mode = AddWatchMode.PERSISTENT_RECURSIVE if self.recursive else AddWatchMode.PERSISTENT
            self._client.add_listener(self._on_state)
            self._client.add_watch(self.path, self._on_event, mode)
        return self

    def get(self, timeout: float | None = None) -> WatchedEvent:
        """The next event; TimeoutError after ``timeout`` seconds."""
        try:
            item = self._q.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no event on {self.path} within {timeout}s") from None
        if isinstance(item, BaseException):
            self._q.put_nowait(item)  # stays failed for the next reader
            raise item
        return item

    def __iter__(self) -> Iterator[WatchedEvent]:
        self.start()
        try:
            while True:
                yield self.get()
        except errors.ClientClosedError:
            return

    def close(self) -> None:
        if self._closed or not self._started:
            self._closed = True
            return
        self._closed = True
        self._client.remove_listener(self._on_state)
        if self._client.connected and self._client._discard_persistent(
            self.path, self._on_event, self.recursive
        ):
            kind = WatcherType.PERSISTENT_RECURSIVE if self.recursive else WatcherType.PERSISTENT
            with contextlib.suppress(errors.NoWatcherError, errors.ConnectionLossError):
                self._client.remove_watches(self.path, kind)

    def __enter__(self) -> EventQueue:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
