"""Small pieces of the session machine: pending requests, one connection, connect refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc

from .. import errors
from .._pb import data_pb2 as pb
from .._pb import session_pb2 as spb
from .._pb import session_pb2_grpc as sgrpc
from ..types import SessionState, WatcherType

_TERMINAL = (SessionState.EXPIRED, SessionState.CLOSED, SessionState.AUTH_FAILED)
_XID_MAX = 2**31 - 1
_MAX_REQUEST_BYTES_DEFAULT = 1 << 20
_MAX_OUTSTANDING_DEFAULT = 1000
_CHANNEL_MESSAGE_BYTES_MAX = 128 << 20


def parse_servers(servers: str | Sequence[str]) -> list[str]:
    items = servers.split(",") if isinstance(servers, str) else list(servers)
    out = [s.strip() for s in items if s.strip()]
    if not out:
        raise ValueError("servers must name at least one host:port")
    return out


@dataclass(eq=False)
class _Pending:
    request: spb.Request
    convert: Callable[[spb.Reply], Any] | None
    future: asyncio.Future[Any] | None
    path: str = ""
    removal: tuple[str, WatcherType] | None = None


@dataclass(eq=False)
class _Conn:
    server: str
    channel: grpc.aio.Channel
    call: Any  # grpc.aio.StreamStreamCall
    out: asyncio.Queue[spb.SessionRequest] = field(default_factory=asyncio.Queue)
    dead: asyncio.Event = field(default_factory=asyncio.Event)
    cause: BaseException | None = None
    last_recv: float = 0.0

    def kill(self, cause: BaseException) -> None:
        if not self.dead.is_set():
            self.cause = cause
            self.dead.set()


class _ConnectRefused(Exception):
    """The server answered the connect with a terminal session event."""

    def __init__(self, state: SessionState, error: errors.PaddockError) -> None:
        super().__init__(str(error))
        self.state = state
        self.error = error


def _error_from_pb(e: pb.Error, default: type[errors.PaddockError]) -> errors.PaddockError:
    if e.code == 0:
        return default(e.message, e.path)
    return errors.error_for(int(e.code), e.path, e.message)


async def open_session_stream(
    server: str,
    connect: spb.ConnectRequest,
    channel_options: Sequence[tuple[str, Any]],
    limit: float,
    credentials: grpc.ChannelCredentials | None = None,
) -> tuple[_Conn, spb.SessionResponse]:
    """Opens a channel and the session stream, sends the connect and returns the server's first
    envelope (starting with ``connected``); raises _ConnectRefused for a session event."""
    options = [
        # A fresh channel per attempt with its own subchannel: grpc's shared pool would hand
        # back a subchannel still in its own (up to 120 s) reconnect backoff.
        ("grpc.use_local_subchannel_pool", 1),
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_receive_message_length", _CHANNEL_MESSAGE_BYTES_MAX),
        ("grpc.max_send_message_length", _CHANNEL_MESSAGE_BYTES_MAX),
        *channel_options,
    ]
    channel = (
        grpc.aio.insecure_channel(server, options=options)
        if credentials is None
        else grpc.aio.secure_channel(server, credentials, options=options)
    )
    call = sgrpc.SessionServiceStub(channel).Session()
    conn = _Conn(server, channel, call)
    try:
        first = await asyncio.wait_for(_handshake(conn, connect), limit)
    except BaseException:
        call.cancel()
        await channel.close()
        raise
    return conn, first


async def _handshake(conn: _Conn, connect: spb.ConnectRequest) -> spb.SessionResponse:
    await conn.call.write(spb.SessionRequest(messages=[spb.ClientMessage(connect=connect)]))
    resp = await conn.call.read()
    if resp is grpc.aio.EOF or not resp.messages:
        raise errors.ConnectionLossError(f"{conn.server} ended the stream during connect")
    head = resp.messages[0]
    kind = head.WhichOneof("kind")
    if kind == "session_event":
        ev = head.session_event
        state = SessionState(ev.state) if ev.state in (2, 3, 4, 5) else SessionState.EXPIRED
        default = {
            SessionState.EXPIRED: errors.SessionExpiredError,
            SessionState.AUTH_FAILED: errors.AuthFailedError,
        }.get(state, errors.ConnectionLossError)
        raise _ConnectRefused(state, _error_from_pb(ev.error, default))
    if kind != "connected":
        raise errors.MarshallingError(f"{conn.server} answered connect with {kind}")
    return resp
