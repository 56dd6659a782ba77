"""The asyncio client's chunked getData (see ``paddock.data_chunks``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc

from .. import errors
from .._pb import data_pb2 as pb
from .._pb import data_pb2_grpc as dgrpc
from ..data_chunks import chunk_error, join_chunks
from ..types import ZnodeStat

if TYPE_CHECKING:
    from ._client import Client


class DataChunks:
    """Mixed into ``paddock.aio.Client``."""

    async def get_data_chunks(
        self: Client, path: str, chunk_bytes: int = 0, *, linearizable: bool = False
    ) -> tuple[bytes | None, ZnodeStat]:
        """A node's data and stat as ``get_data``, read in pieces of ``chunk_bytes`` (0: the
        server's default, 64 KiB; at most 1 MiB) and joined: no single message carries a value
        near the size limit, and every piece is of the one version the server read. None for a
        node holding no data.

        The call is sessionless, on the session's current connection with its digest
        credentials: it is not ordered after this session's writes still in flight (await
        them first). Without a connection it raises ConnectionLossError."""
        session = self._session
        conn = session._conn
        if conn is None or conn.dead.is_set():
            raise errors.ConnectionLossError("GetDataChunks: not connected", path)
        # paddock-auth carries text: digest credentials are "user:password".
        metadata = [
            ("paddock-auth", "digest " + a.decode()) for s, a in session.auth if s == "digest"
        ]
        request = pb.GetDataChunksRequest(
            path=path, chunk_bytes=chunk_bytes, consistency=int(linearizable)
        )
        call = dgrpc.DataServiceStub(conn.channel).GetDataChunks(request, metadata=metadata)
        try:
            return await join_chunks(path, call)
        except grpc.aio.AioRpcError as e:
            raise chunk_error(path, e) from e
        finally:
            call.cancel()  # a no-op after the last chunk; ends the stream on an early exit
