"""Conversions between the generated protobuf messages and the public Python values."""

from __future__ import annotations

from collections.abc import Iterable

from ._pb import data_pb2 as pb
from .types import ACL, AclList, CreateMode, Id, ZnodeStat


def stat_from_pb(s: pb.Stat) -> ZnodeStat:
    return ZnodeStat(
        czxid=s.czxid,
        mzxid=s.mzxid,
        ctime=s.ctime,
        mtime=s.mtime,
        version=s.version,
        cversion=s.cversion,
        aversion=s.aversion,
        ephemeral_owner=s.ephemeral_owner,
        data_length=s.data_length,
        num_children=s.num_children,
        pzxid=s.pzxid,
    )


def acl_to_pb(acl: AclList | None) -> list[pb.ACL]:
    # An empty list asks the server for OPEN_ACL_UNSAFE.
    if not acl:
        return []
    return [pb.ACL(perms=int(a.perms), id=pb.Id(scheme=a.id.scheme, id=a.id.id)) for a in acl]


def acl_from_pb(acl: Iterable[pb.ACL]) -> list[ACL]:
    return [ACL(a.perms, Id(a.id.scheme, a.id.id)) for a in acl]


def create_request(
    path: str, data: bytes, acl: AclList | None, mode: CreateMode, ttl: int
) -> pb.CreateRequest:
    mode = CreateMode(mode)
    if ttl and not mode.is_ttl:
        raise ValueError(f"ttl is only valid with a TTL create mode, not {mode.name}")
    if mode.is_ttl and ttl <= 0:
        raise ValueError(f"{mode.name} needs ttl > 0 (milliseconds)")
    return pb.CreateRequest(
        path=path, data=bytes(data), acl=acl_to_pb(acl), mode=int(mode), ttl=int(ttl)
    )


def auth_bytes(credential: str | bytes) -> bytes:
    return credential.encode() if isinstance(credential, str) else bytes(credential)
