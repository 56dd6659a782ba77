"""The asyncio Paddock client (grpc.aio)."""

from ._client import Client
from ._resumable_watch import ResumableWatch, WatchBatch, WatchChange, WatchCompactedError
from ._watch_stream import WatchStream

__all__ = [
    "Client",
    "ResumableWatch",
    "WatchBatch",
    "WatchChange",
    "WatchCompactedError",
    "WatchStream",
]
