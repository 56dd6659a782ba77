"""The asyncio Paddock client (grpc.aio)."""

from ._client import Client
from ._watch_stream import WatchStream

__all__ = ["Client", "WatchStream"]
