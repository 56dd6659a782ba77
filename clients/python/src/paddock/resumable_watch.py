"""The resumable watch stream for the blocking client: an iterator of WatchBatch."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .aio._resumable_watch import ResumableWatch, WatchBatch

if TYPE_CHECKING:
    from .client import Client


class WatchStreamIterator:
    """``for batch in client.watch_stream(...)``; ``next_batch(timeout)`` waits at most
    ``timeout`` seconds (TimeoutError). ``close()`` or leaving ``with`` ends it. Raises
    WatchCompactedError when the start is older than the server's history."""

    def __init__(self, client: Client, path: str, options: dict[str, Any]) -> None:
        self._client = client

        async def open_() -> ResumableWatch:
            return client.aio.watch_stream(path, **options)

        self._stream: ResumableWatch = client._run(open_())

    @property
    def last_zxid(self) -> int | None:
        """The zxid up to which every change was received: resume from it."""
        return self._stream.last_zxid

    @property
    def server(self) -> str:
        return self._stream.server

    def next_batch(self, timeout: float | None = None) -> WatchBatch:
        async def get() -> WatchBatch:
            return await asyncio.wait_for(self._stream.__anext__(), timeout)

        try:
            return self._client._run(get())  # type: ignore[no-any-return]
        except StopAsyncIteration:
            raise StopIteration from None

    def __iter__(self) -> Iterator[WatchBatch]:
        return self

    def __next__(self) -> WatchBatch:
        return self.next_batch()

    def close(self) -> None:
        self._client._run(self._stream.aclose())

    def __enter__(self) -> WatchStreamIterator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
