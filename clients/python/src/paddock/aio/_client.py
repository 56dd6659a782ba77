"""The asyncio client: ZooKeeper's calls on a Paddock session stream."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Literal, overload

from .. import _codec, errors
from .._pb import data_pb2 as pb
from .._pb import session_pb2 as spb
from .._watches import Watcher
from ..ops import Op, OpResult, result_from_pb
from ..reads import ReadOp, ReadResult, read_result_from_pb
from ..tls import TLS
from ..types import (
    ACL,
    AclList,
    AddWatchMode,
    ClientInfo,
    CreateMode,
    EventType,
    SessionState,
    WatchedEvent,
    WatcherType,
    ZnodeStat,
)
from ._children_pages import ChildrenPages
from ._data_chunks import DataChunks
from ._resumable_watch import ResumableWatch
from ._session import Dispatch, Session
from ._txn import Txn
from ._watch_stream import WatchStream

log = logging.getLogger("paddock")

Listener = Callable[[SessionState], Any]


def _raise_if_error(reply: spb.Reply) -> None:
    if reply.HasField("error") and reply.error.code != 0:
        raise errors.error_for(int(reply.error.code), reply.error.path, reply.error.message)


def _stat(s: pb.Stat) -> ZnodeStat:
    return _codec.stat_from_pb(s)


def _version(msg: Any, version: int) -> Any:
    if version != -1:
        msg.version = version
    return msg


class Client(ChildrenPages, DataChunks, Txn):
    """An asyncio Paddock client; one session, kept across reconnects.

    ``servers`` is "host:port,host:port" or a list. ``timeout`` is the requested session timeout
    in seconds. ``auth`` is a list of (scheme, credential) pairs sent with the connect, e.g.
    ``[("digest", "alice:secret")]``. ``tls`` (a ``paddock.TLS``) connects over TLS to a
    secureClientPort. Use ``async with Client(...) as c`` or ``await c.start()``.
    """

    def __init__(
        self,
        servers: str | Sequence[str],
        *,
        timeout: float = 10.0,
        auth: Sequence[tuple[str, str | bytes]] = (),
        request_timeout: float | None = None,
        max_queued_requests: int = 10_000,
        connect_timeout: float | None = None,
        backoff: tuple[float, float] = (0.05, 2.0),
        channel_options: Sequence[tuple[str, Any]] = (),
        tls: TLS | None = None,
        _dispatch: Dispatch | None = None,
    ) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._session = Session(
            servers,
            timeout=timeout,
            auth=auth,
            request_timeout=request_timeout,
            max_queued_requests=max_queued_requests,
            connect_timeout=connect_timeout,
            backoff=backoff,
            channel_options=channel_options,
            dispatch=_dispatch or self._dispatch,
            tls=tls,
        )

    def _dispatch(self, fn: Callable[..., Any], *args: Any) -> None:
        # Watchers and listeners run inline on the loop, in event order; a coroutine function
        # becomes a task (kept referenced until done).
        try:
            result = fn(*args)
        except Exception:
            log.exception("paddock: callback %r failed", fn)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # ---- lifecycle and state ---------------------------------------------------------------

    async def start(self, timeout: float | None = None) -> Client:
        """Connects and opens the session; waits up to ``timeout`` seconds (default: the
        session timeout) and raises ConnectionLossError if no server answered."""
        wait = timeout if timeout is not None else self._session.timeout_ms / 1000
        await self._session.start(wait)
        return self

    async def close(self, timeout: float | None = None) -> None:
        """Closes the session (its ephemerals go at once) and the connection. Idempotent."""
        await self._session.close(timeout)

    async def __aenter__(self) -> Client:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def state(self) -> SessionState | None:
        """The last session state (None before the first connect)."""
        return self._session.state

    @property
    def connected(self) -> bool:
        return self._session.state == SessionState.CONNECTED

    @property
    def session_id(self) -> int:
        return self._session.session_id

    @property
    def session_password(self) -> bytes:
        return self._session.password

    @property
    def negotiated_timeout(self) -> float:
        """The session timeout the server granted, in seconds."""
        return self._session.negotiated_timeout_ms / 1000

    @property
    def last_zxid(self) -> int:
        return self._session.last_zxid

    @property
    def server(self) -> str | None:
        """The server of the current (or last) connection."""
        return self._session.server

    def add_listener(self, listener: Listener) -> None:
        """Calls ``listener(state)`` on each session state change (CONNECTED, DISCONNECTED,
        EXPIRED, CLOSED, AUTH_FAILED)."""
        self._session.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._session.listeners:
            self._session.listeners.remove(listener)

    # ---- calls -----------------------------------------------------------------------------

    def _submit(self, path: str, convert: Callable[[spb.Reply], Any], **op: Any) -> Awaitable[Any]:
        return self._session.submit(spb.Request(**op), convert, path)

    async def create(
        self,
        path: str,
        value: bytes = b"",
        acl: AclList | None = None,
        mode: CreateMode = CreateMode.PERSISTENT,
        ttl: int = 0,
        *,
        include_stat: bool = False,
    ) -> Any:
        """Creates a znode; returns its path (with the sequence suffix for sequential modes),
        or ``(path, stat)`` with ``include_stat=True``. ``ttl`` is in ms, for TTL modes."""
        req = _codec.create_request(path, value, acl, mode, ttl)

        def convert(r: spb.Reply) -> Any:
            _raise_if_error(r)
            if include_stat:
                return r.create.path, _stat(r.create.stat)
            return r.create.path

        return await self._submit(path, convert, create=req)

    async def ensure_path(self, path: str, acl: AclList | None = None) -> None:
        """Creates ``path`` and any missing ancestors as persistent znodes (no error if present)."""
        parts = [p for p in path.split("/") if p]
        current = ""
        for part in parts:
            current += "/" + part
            with contextlib.suppress(errors.NodeExistsError):
                await self.create(current, b"", acl)

    async def delete(self, path: str, version: int = -1) -> None:
        def convert(r: spb.Reply) -> None:
            _raise_if_error(r)

        await self._submit(path, convert, delete=_version(pb.DeleteRequest(path=path), version))

    async def exists(
        self, path: str, watch: Watcher | None = None, *, linearizable: bool = False
    ) -> ZnodeStat | None:
        """The node's stat or None. ``watch`` fires once on created/deleted/data changed."""
        registry = self._session.registry

        def convert(r: spb.Reply) -> ZnodeStat | None:
            _raise_if_error(r)
            found = r.exists.HasField("stat")
            if watch is not None:
                (registry.add_data if found else registry.add_exist)(path, watch)
            return _stat(r.exists.stat) if found else None

        req = pb.ExistsRequest(path=path, watch=watch is not None, consistency=int(linearizable))
        return await self._submit(path, convert, exists=req)

    async def get_data(
        self, path: str, watch: Watcher | None = None, *, linearizable: bool = False
    ) -> tuple[bytes, ZnodeStat]:
        """``(data, stat)``. ``watch`` fires once on data changed or deleted."""
        registry = self._session.registry

        def convert(r: spb.Reply) -> tuple[bytes, ZnodeStat]:
            _raise_if_error(r)
            if watch is not None:
                registry.add_data(path, watch)
            return r.get_data.data, _stat(r.get_data.stat)

        req = pb.GetDataRequest(path=path, watch=watch is not None, consistency=int(linearizable))
        return await self._submit(path, convert, get_data=req)

    async def set_data(self, path: str, value: bytes, version: int = -1) -> ZnodeStat:
        def convert(r: spb.Reply) -> ZnodeStat:
            _raise_if_error(r)
            return _stat(r.set_data.stat)

        req = _version(pb.SetDataRequest(path=path, data=bytes(value)), version)
        return await self._submit(path, convert, set_data=req)

    @overload
    async def get_children(
        self,
        path: str,
        watch: Watcher | None = ...,
        *,
        include_stat: Literal[False] = ...,
        linearizable: bool = ...,
    ) -> list[str]: ...

    @overload
    async def get_children(
        self,
        path: str,
        watch: Watcher | None = ...,
        *,
        include_stat: Literal[True],
        linearizable: bool = ...,
    ) -> tuple[list[str], ZnodeStat]: ...

    async def get_children(
        self,
        path: str,
        watch: Watcher | None = None,
        *,
        include_stat: bool = False,
        linearizable: bool = False,
    ) -> Any:
        """Child names (unordered). ``watch`` fires once on children changed or deleted."""
        registry = self._session.registry

        def convert(r: spb.Reply) -> Any:
            _raise_if_error(r)
            if watch is not None:
                registry.add_child(path, watch)
            children = list(r.get_children.children)
            return (children, _stat(r.get_children.stat)) if include_stat else children

        req = pb.GetChildrenRequest(
            path=path, watch=watch is not None, consistency=int(linearizable)
        )
        return await self._submit(path, convert, get_children=req)

    async def get_all_children_number(self, path: str) -> int:
        def convert(r: spb.Reply) -> int:
            _raise_if_error(r)
            return r.get_all_children_number.number

        req = pb.GetAllChildrenNumberRequest(path=path)
        return await self._submit(path, convert, get_all_children_number=req)

    async def get_ephemerals(self, prefix: str = "/") -> list[str]:
        def convert(r: spb.Reply) -> list[str]:
            _raise_if_error(r)
            return list(r.get_ephemerals.paths)

        req = pb.GetEphemeralsRequest(prefix_path=prefix)
        return await self._submit(prefix, convert, get_ephemerals=req)

    async def get_acl(self, path: str) -> tuple[list[ACL], ZnodeStat]:
        def convert(r: spb.Reply) -> tuple[list[ACL], ZnodeStat]:
            _raise_if_error(r)
            return _codec.acl_from_pb(r.get_acl.acl), _stat(r.get_acl.stat)

        return await self._submit(path, convert, get_acl=pb.GetACLRequest(path=path))

    async def set_acl(self, path: str, acl: AclList, version: int = -1) -> ZnodeStat:
        def convert(r: spb.Reply) -> ZnodeStat:
            _raise_if_error(r)
            return _stat(r.set_acl.stat)

        req = _version(pb.SetACLRequest(path=path, acl=_codec.acl_to_pb(acl)), version)
        return await self._submit(path, convert, set_acl=req)

    async def sync(self, path: str = "/") -> str:
        def convert(r: spb.Reply) -> str:
            _raise_if_error(r)
            return r.sync.path

        return await self._submit(path, convert, sync=pb.SyncRequest(path=path))

    async def multi(self, ops: Sequence[Op]) -> list[OpResult]:
        """Applies ``ops`` atomically. On failure raises the first failing op's error with
        ``.results`` listing every op's result (ErrorResult 0 before it, -2 after it)."""

        def convert(r: spb.Reply) -> list[OpResult]:
            results = [result_from_pb(x) for x in r.multi.results]
            if r.HasField("error") and r.error.code != 0:
                err = errors.error_for(int(r.error.code), r.error.path, r.error.message)
                err.results = results
                raise err
            return results

        req = pb.MultiRequest(ops=[op._pb for op in ops])
        return await self._submit("", convert, multi=req)

    async def multi_read(self, ops: Sequence[ReadOp]) -> list[ReadResult]:
        """Runs reads in one request; results in op order, each read failing by itself."""

        def convert(r: spb.Reply) -> list[ReadResult]:
            _raise_if_error(r)
            return [read_result_from_pb(x) for x in r.multi_read.results]

        req = pb.MultiReadRequest(ops=[op._pb for op in ops])
        return await self._submit("", convert, multi_read=req)

    async def add_watch(
        self, path: str, watcher: Watcher, mode: AddWatchMode = AddWatchMode.PERSISTENT
    ) -> None:
        """Adds a persistent (optionally recursive) watch; it stays until removed."""
        registry = self._session.registry
        recursive = mode == AddWatchMode.PERSISTENT_RECURSIVE

        def convert(r: spb.Reply) -> None:
            _raise_if_error(r)
            registry.add_persistent(path, watcher, recursive)

        req = pb.AddWatchRequest(path=path, mode=int(mode))
        await self._submit(path, convert, add_watch=req)

    async def remove_watches(self, path: str, watcher_type: WatcherType = WatcherType.ANY) -> None:
        """Removes this session's watches of ``watcher_type`` on ``path``; the watchers get a
        *_WATCH_REMOVED event. Raises NoWatcherError if there was none."""
        registry = self._session.registry
        kind = WatcherType(watcher_type)

        def convert(r: spb.Reply) -> None:
            _raise_if_error(r)
            registry.remove_local(path, kind)

        req = spb.Request(remove_watches=pb.RemoveWatchesRequest(path=path, type=int(kind)))
        await self._session.submit_removal(req, convert, path, kind)

    def watch(self, path: str, *, recursive: bool = False, max_queued: int = 1000) -> WatchStream:
        """A persistent watch as an async iterator of WatchedEvent::

            async with client.watch("/app", recursive=True) as events:
                async for event in events: ...

        ``async for event in client.watch(...)`` also works (the watch is added on the first
        iteration). More than ``max_queued`` unread events end the iteration with QueueFullError.
        """
        return WatchStream(self, path, recursive, max_queued)

    def watch_stream(
        self,
        path: str,
        *,
        from_zxid: int | None = None,
        recursive: bool = False,
        with_data: bool = False,
        children_events: bool = False,
        progress_interval: float = 0.0,
        max_queued: int = 1024,
        with_prev_data: bool = False,
        event_types: Iterable[EventType] = (),
    ) -> ResumableWatch:
        """A resumable watch stream (every change after ``from_zxid``, or from now) as an async
        iterator of WatchBatch that reopens by itself after a broken stream, or after three
        ``progress_interval`` (default: the server's 5 s) without any message::

            async with client.watch_stream("/app", recursive=True, from_zxid=z) as batches:
                async for batch in batches: ...

        ``with_prev_data`` carries each node's data and stat before the transaction
        (``prev_data``, ``prev_stat``) on data-changed and deleted events; ``event_types``
        delivers only those types (empty: all). Call it from a running event loop. See
        ResumableWatch.
        """
        return ResumableWatch(
            self._session,
            path,
            from_zxid=from_zxid,
            recursive=recursive,
            with_data=with_data,
            children_events=children_events,
            progress_interval=progress_interval,
            max_queued=max_queued,
            with_prev_data=with_prev_data,
            event_types=event_types,
        )

    async def add_auth(self, scheme: str, credential: str | bytes) -> None:
        """Adds credentials to the session (kept and re-sent on reconnect)."""
        data = _codec.auth_bytes(credential)
        auth = self._session.auth

        def convert(r: spb.Reply) -> None:
            _raise_if_error(r)
            auth.append((scheme, data))

        await self._submit("", convert, add_auth=pb.AddAuthRequest(scheme=scheme, auth=data))

    async def who_am_i(self) -> list[ClientInfo]:
        def convert(r: spb.Reply) -> list[ClientInfo]:
            _raise_if_error(r)
            return [ClientInfo(c.auth_scheme, c.user) for c in r.who_am_i.client_info]

        return await self._submit("", convert, who_am_i=pb.WhoAmIRequest())

    async def reconfig(
        self,
        joining: str | Sequence[str] | None = None,
        leaving: str | Sequence[str | int] | None = None,
        new_members: str | Sequence[str] | None = None,
        from_config: int = -1,
    ) -> tuple[bytes, ZnodeStat]:
        """Changes the ensemble's members, as kazoo's ``reconfig``: incrementally (``joining``
        ``server.N=host:quorumPort:electionPort[:role];[clientHost:]clientPort`` lines,
        ``leaving`` server ids) or in bulk (``new_members``), from configuration version
        ``from_config`` (the hex ``version=`` of /zookeeper/config, parsed; -1 for any). Needs
        reconfigEnabled=true and the super user (or WRITE on /zookeeper/config). Returns
        /zookeeper/config after the change: ``(data, stat)``."""

        def convert(r: spb.Reply) -> tuple[bytes, ZnodeStat]:
            _raise_if_error(r)
            return r.reconfig.data, _stat(r.reconfig.stat)

        req = pb.ReconfigRequest(
            joining_servers=_members(joining),
            leaving_servers=_members(leaving),
            new_members=_members(new_members),
            cur_config_id=from_config,
        )
        return await self._submit("", convert, reconfig=req)

    # internal: used by WatchStream to drop a local watcher without a server round trip
    def _discard_persistent(self, path: str, watcher: Watcher, recursive: bool) -> bool:
        return self._session.registry.discard_persistent(path, watcher, recursive)


def _members(value: str | Sequence[str | int] | None) -> str:
    """A comma-separated list, as the wire (and kazoo) take it."""
    if value is None:
        return ""
    return value if isinstance(value, str) else ",".join(str(v) for v in value)


__all__ = ["Client", "WatchStream", "WatchedEvent"]
