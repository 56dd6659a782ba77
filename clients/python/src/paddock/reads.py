"""Reads for ``multi_read`` (ZooKeeper 3.6's multiRead) and the results it returns: each read
succeeds or fails by itself, so a failure is a result (``ReadError``), not an exception."""

from __future__ import annotations

from dataclasses import dataclass

from . import _codec, errors
from ._pb import data_pb2 as pb
from .types import ZnodeStat


@dataclass(frozen=True, slots=True)
class ReadOp:
    """One read of a ``multi_read``: ``ReadOp.get_data(path)`` or ``ReadOp.get_children(path)``."""

    _pb: pb.ReadOp

    @staticmethod
    def get_data(path: str) -> ReadOp:
        return ReadOp(pb.ReadOp(get_data=pb.GetDataRequest(path=path)))

    @staticmethod
    def get_children(path: str) -> ReadOp:
        return ReadOp(pb.ReadOp(get_children=pb.GetChildrenRequest(path=path)))


@dataclass(frozen=True, slots=True)
class DataRead:
    data: bytes
    stat: ZnodeStat


@dataclass(frozen=True, slots=True)
class ChildrenRead:
    children: list[str]
    stat: ZnodeStat


@dataclass(frozen=True, slots=True)
class ReadError:
    error: errors.PaddockError


ReadResult = DataRead | ChildrenRead | ReadError


def read_result_from_pb(r: pb.ReadOpResult) -> ReadResult:
    kind = r.WhichOneof("result")
    if kind == "get_data":
        return DataRead(r.get_data.data, _codec.stat_from_pb(r.get_data.stat))
    if kind == "get_children":
        return ChildrenRead(list(r.get_children.children), _codec.stat_from_pb(r.get_children.stat))
    return ReadError(errors.error_for(int(r.error.code), r.error.path, r.error.message))


__all__ = ["ChildrenRead", "DataRead", "ReadError", "ReadOp", "ReadResult"]
