"""Joining a watch stream's fragments: the server may split one transaction's changes over
several WatchChanges messages (each but the last with ``fragment`` set) so that none exceeds its
reply limit (jute.maxbuffer); the client hands the transaction over whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import _codec, errors
from .._pb import watch_pb2 as wpb
from ..types import EventType, ZnodeStat


@dataclass(frozen=True, slots=True)
class WatchChange:
    type: EventType
    path: str
    #: With ``with_data``, on created and data-changed events (after the transaction); else None.
    data: bytes | None = None
    stat: ZnodeStat | None = None
    #: The node holds ZooKeeper's null data (``data`` is then b"").
    data_null: bool = False
    #: With ``with_prev_data``, on data-changed and deleted events (before the transaction).
    prev_data: bytes | None = None
    prev_stat: ZnodeStat | None = None
    prev_data_null: bool = False


@dataclass(frozen=True, slots=True)
class WatchBatch:
    zxid: int
    changes: Sequence[WatchChange]


def change_from_pb(c: wpb.WatchChange) -> WatchChange:
    has_stat, has_prev = c.HasField("stat"), c.HasField("prev_stat")
    return WatchChange(
        type=EventType(c.type),
        path=c.path,
        data=bytes(c.data) if has_stat else None,
        stat=_codec.stat_from_pb(c.stat) if has_stat else None,
        data_null=has_stat and c.data_null,
        prev_data=bytes(c.prev_data) if has_prev else None,
        prev_stat=_codec.stat_from_pb(c.prev_stat) if has_prev else None,
        prev_data_null=has_prev and c.prev_data_null,
    )


class FragmentJoin:
    """One gRPC stream's joiner: ``add`` returns the whole transaction after its last message
    (None before); a stream that breaks drops the partial one with its joiner."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._zxid: int | None = None
        self._changes: list[WatchChange] = []

    def add(self, message: wpb.WatchChanges, last_zxid: int | None) -> WatchBatch | None:
        zxid = message.zxid
        if self._zxid is None:
            # The server sends each zxid once and a resume starts after last_zxid: a repeat is
            # a server bug, not something to hide.
            if last_zxid is not None and zxid <= last_zxid:
                raise self._error(f"repeated zxid {zxid:#x}")
            self._zxid = zxid
        elif zxid != self._zxid:
            raise self._error(f"fragments of zxid {self._zxid:#x} ended by zxid {zxid:#x}")
        self._changes += (change_from_pb(c) for c in message.changes)
        if message.fragment:
            return None
        batch = WatchBatch(zxid=zxid, changes=tuple(self._changes))
        self._zxid, self._changes = None, []
        return batch

    def progress(self, zxid: int) -> None:
        """A progress notification must not cut into a transaction's fragments."""
        if self._zxid is not None:
            raise self._error(f"progress {zxid:#x} inside the fragments of zxid {self._zxid:#x}")

    def _error(self, message: str) -> errors.PaddockError:
        return errors.PaddockSystemError("watch stream " + message, self.path)
