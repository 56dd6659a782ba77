"""Chunked getData (DataService/GetDataChunks, a Paddock extension): a node's value in pieces,
joined by the client, every piece from the one version the server read."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

import grpc

from . import _codec, errors
from ._pb import data_pb2 as pb
from .types import ZnodeStat

if TYPE_CHECKING:
    from collections.abc import AsyncIterable

    from .client import Client

_BY_NAME = {cls.name: cls for cls in errors._BY_CODE.values()}


def chunk_error(path: str, e: grpc.aio.AioRpcError) -> errors.PaddockError:
    """The server's error (ZooKeeper's code name, path and message travel in the trailers); a
    status without them (the connection failed) is ConnectionLossError."""
    trailers = {k: v for k, v in (e.trailing_metadata() or ()) if isinstance(v, str)}
    cls = _BY_NAME.get(trailers.get("paddock-error-code", ""))
    if cls is None:
        return errors.ConnectionLossError(f"GetDataChunks: {e.code().name} {e.details()}", path)
    return cls(e.details() or "", urllib.parse.unquote(trailers.get("paddock-error-path", path)))


async def join_chunks(
    path: str, chunks: AsyncIterable[pb.DataChunk]
) -> tuple[bytes | None, ZnodeStat]:
    """The pieces joined, checked to be contiguous and complete; None for a node holding no data."""
    parts: list[bytes] = []
    size = 0
    stat: ZnodeStat | None = None
    null = False
    async for chunk in chunks:
        if chunk.offset != size:
            raise errors.PaddockSystemError(
                f"GetDataChunks: chunk at offset {chunk.offset}, expected {size}", path
            )
        if chunk.offset == 0:
            stat, null = _codec.stat_from_pb(chunk.stat), chunk.data_null
        parts.append(chunk.data)
        size += len(chunk.data)
        if chunk.last:
            assert stat is not None
            return (None if null else b"".join(parts)), stat
    raise errors.PaddockSystemError(
        f"GetDataChunks: stream ended after {size} bytes without the last chunk", path
    )


class SyncDataChunks:
    """The blocking client's ``get_data_chunks`` (mixed into ``paddock.Client``)."""

    def get_data_chunks(
        self: Client, path: str, chunk_bytes: int = 0, *, linearizable: bool = False
    ) -> tuple[bytes | None, ZnodeStat]:
        """``get_data`` in pieces of ``chunk_bytes``; see ``paddock.aio.Client.get_data_chunks``."""
        return self._run(self.aio.get_data_chunks(path, chunk_bytes, linearizable=linearizable))


__all__ = ["SyncDataChunks", "chunk_error", "join_chunks"]
