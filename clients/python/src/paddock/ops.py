"""Op builders for ``multi`` and the results it returns (ZooKeeper's Op / OpResult)."""

from __future__ import annotations

from dataclasses import dataclass

from . import _codec
from ._pb import data_pb2 as pb
from .types import AclList, CreateMode, ZnodeStat


@dataclass(frozen=True, slots=True)
class Op:
    """One operation of an atomic multi. Build with the static methods."""

    _pb: pb.Op

    @staticmethod
    def create(
        path: str,
        data: bytes = b"",
        acl: AclList | None = None,
        mode: CreateMode = CreateMode.PERSISTENT,
        ttl: int = 0,
    ) -> Op:
        return Op(pb.Op(create=_codec.create_request(path, data, acl, mode, ttl)))

    @staticmethod
    def delete(path: str, version: int = -1) -> Op:
        req = pb.DeleteRequest(path=path)
        if version != -1:
            req.version = version
        return Op(pb.Op(delete=req))

    @staticmethod
    def set_data(path: str, data: bytes, version: int = -1) -> Op:
        req = pb.SetDataRequest(path=path, data=data)
        if version != -1:
            req.version = version
        return Op(pb.Op(set_data=req))

    @staticmethod
    def check(path: str, version: int = -1) -> Op:
        req = pb.CheckRequest(path=path)
        if version != -1:
            req.version = version
        return Op(pb.Op(check=req))


@dataclass(frozen=True, slots=True)
class CreateResult:
    path: str
    stat: ZnodeStat | None


@dataclass(frozen=True, slots=True)
class DeleteResult:
    pass


@dataclass(frozen=True, slots=True)
class SetDataResult:
    stat: ZnodeStat | None


@dataclass(frozen=True, slots=True)
class CheckResult:
    pass


@dataclass(frozen=True, slots=True)
class ErrorResult:
    """In a failed multi: 0 for ops before the failing one, its code, -2 for the ops after."""

    code: int
    path: str = ""
    message: str = ""


OpResult = CreateResult | DeleteResult | SetDataResult | CheckResult | ErrorResult


def result_from_pb(r: pb.OpResult) -> OpResult:
    kind = r.WhichOneof("result")
    if kind == "create":
        has = r.create.HasField("stat")
        return CreateResult(r.create.path, _codec.stat_from_pb(r.create.stat) if has else None)
    if kind == "delete":
        return DeleteResult()
    if kind == "set_data":
        has = r.set_data.HasField("stat")
        return SetDataResult(_codec.stat_from_pb(r.set_data.stat) if has else None)
    if kind == "check":
        return CheckResult()
    if kind == "error":
        return ErrorResult(int(r.error.code), r.error.path, r.error.message)
    raise ValueError(f"OpResult without a result: {r}")
