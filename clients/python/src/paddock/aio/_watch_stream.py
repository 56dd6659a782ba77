"""A persistent watch as an async iterator with a bounded queue."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from typing import TYPE_CHECKING

from .. import errors
from ..types import AddWatchMode, SessionState, WatchedEvent, WatcherType

if TYPE_CHECKING:
    from ._client import Client


class WatchStream:
    """Events of one persistent watch. Ends (StopAsyncIteration) when closed or the client is
    closed; raises SessionExpiredError when the session expires and QueueFullError when more
    than ``max_queued`` events are left unread."""

    def __init__(self, client: Client, path: str, recursive: bool, max_queued: int) -> None:
        if max_queued < 1:
            raise ValueError("max_queued must be >= 1")
        self._client = client
        self.path = path
        self.recursive = recursive
        self._max = max_queued
        self._events: collections.deque[WatchedEvent] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None
        self._started = False
        self._closed = False

    # the watcher and listener callbacks (run on the loop)
    def _on_event(self, event: WatchedEvent) -> None:
        if self._closed or self._error is not None:
            return
        if event.type == 7:  # PERSISTENT_WATCH_REMOVED: removed by someone else's call
            self._error = StopAsyncIteration()
        elif len(self._events) >= self._max:
            self._error = errors.QueueFullError(
                f"watch stream overflowed: {self._max} events unread", self.path
            )
        else:
            self._events.append(event)
        self._wake()

    def _on_state(self, state: SessionState) -> None:
        if state == SessionState.EXPIRED:
            self._error = errors.SessionExpiredError("session expired", self.path)
        elif state == SessionState.AUTH_FAILED:
            self._error = errors.AuthFailedError("authentication failed", self.path)
        elif state == SessionState.CLOSED:
            self._error = StopAsyncIteration()
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        mode = AddWatchMode.PERSISTENT_RECURSIVE if self.recursive else AddWatchMode.PERSISTENT
        self._client.add_listener(self._on_state)
        try:
            await self._client.add_watch(self.path, self._on_event, mode)
        except BaseException:
            self._client.remove_listener(self._on_state)
            self._closed = True
            raise

    async def aclose(self) -> None:
        """Stops the stream and removes the server watch if no other local watcher needs it."""
        if self._closed:
            return
        self._closed = True
        self._wake()
        if not self._started:
            return
        self._client.remove_listener(self._on_state)
        last = self._client._discard_persistent(self.path, self._on_event, self.recursive)
        if last and self._client.connected:
            kind = WatcherType.PERSISTENT_RECURSIVE if self.recursive else WatcherType.PERSISTENT
            with contextlib.suppress(errors.NoWatcherError, errors.ConnectionLossError):
                await self._client.remove_watches(self.path, kind)

    async def __aenter__(self) -> WatchStream:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __aiter__(self) -> WatchStream:
        return self

    async def __anext__(self) -> WatchedEvent:
        if not self._started:
            await self.start()
        while True:
            if self._events:
                return self._events.popleft()
            if self._closed:
                raise StopAsyncIteration
            if self._error is not None:
                if isinstance(self._error, StopAsyncIteration):
                    raise StopAsyncIteration
                raise self._error
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
            self._waiter = None

    async def next(self, timeout: float | None = None) -> WatchedEvent:
        """The next event, waiting at most ``timeout`` seconds (TimeoutError after)."""
        return await asyncio.wait_for(self.__anext__(), timeout)
