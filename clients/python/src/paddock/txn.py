"""Compare-transactions (a Paddock extension, etcd's Txn on a tree): conditions on a node's
existence or Stat fields, then one branch of ops or the other, atomically::

    data, stat = client.get_data("/cfg")
    r = client.txn(
        [Compare("/cfg", "mzxid", "==", stat.mzxid)],
        then=[Op.set_data("/cfg", b"next")],
        otherwise=[Op.check("/cfg")],
    )
    if not r.succeeded: ...  # someone changed /cfg first
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from . import errors
from ._pb import data_pb2 as pb
from ._pb import session_pb2 as spb
from .ops import Op, OpResult, result_from_pb

if TYPE_CHECKING:
    from .client import Client


class CompareTarget(IntEnum):
    """What a condition reads, as data.proto's CompareTarget."""

    EXISTS = 1  # value 1: the node exists, 0: it does not; only == and !=
    VERSION = 2
    CVERSION = 3
    AVERSION = 4
    CZXID = 5
    MZXID = 6
    PZXID = 7
    NUM_CHILDREN = 8
    EPHEMERAL_OWNER = 9
    DATA_LENGTH = 10


_OPERATORS = {"==": 1, "=": 1, "!=": 2, "<": 3, ">": 4}


@dataclass(frozen=True, slots=True)
class Compare:
    """One condition: ``<target of path> <op> value``. ``target`` is a CompareTarget or its name
    in ZnodeStat's spelling ("version", "mzxid", "num_children", "ephemeral_owner",
    "data_length", ..., or "exists" with True/False); ``op`` one of "==", "!=", "<", ">". On a
    missing node every target but "exists" is false, whatever the operator."""

    path: str
    target: CompareTarget | str
    op: str
    value: int | bool

    def __post_init__(self) -> None:
        self.to_pb()  # refuse a bad condition where it is written

    @staticmethod
    def exists(path: str) -> Compare:
        return Compare(path, CompareTarget.EXISTS, "==", True)

    @staticmethod
    def missing(path: str) -> Compare:
        return Compare(path, CompareTarget.EXISTS, "==", False)

    def to_pb(self) -> pb.Compare:
        target = self.target
        if isinstance(target, str):
            try:
                target = CompareTarget[target.upper()]
            except KeyError:
                raise ValueError(f"unknown compare target {target!r} for {self.path}") from None
        op = _OPERATORS.get(self.op)
        if op is None:
            raise ValueError(f"unknown compare operator {self.op!r} for {self.path}")
        if not isinstance(self.value, int):
            raise TypeError(f"compare value {self.value!r} for {self.path} must be an int")
        return pb.Compare(path=self.path, target=int(target), op=op, value=int(self.value))


@dataclass(frozen=True, slots=True)
class TxnResult:
    succeeded: bool
    """Every condition held: the ``then`` ops ran; otherwise the ``otherwise`` ops did."""
    results: list[OpResult]
    """One per op of the branch that ran."""


def txn_request(
    compare: Sequence[Compare], then: Sequence[Op], otherwise: Sequence[Op]
) -> pb.TxnRequest:
    return pb.TxnRequest(
        compare=[c.to_pb() for c in compare],
        then_ops=[o._pb for o in then],
        else_ops=[o._pb for o in otherwise],
    )


def txn_result(r: spb.Reply) -> TxnResult:
    """The reply's result. A failing op raises its error (as multi) with ``results`` and
    ``succeeded`` (which branch it was) attached; a refused condition raises without them."""
    failed = r.HasField("error") and r.error.code != 0
    if failed and not r.HasField("txn"):
        raise errors.error_for(int(r.error.code), r.error.path, r.error.message)
    result = TxnResult(r.txn.succeeded, [result_from_pb(x) for x in r.txn.results])
    if failed:
        err = errors.error_for(int(r.error.code), r.error.path, r.error.message)
        err.results = result.results
        err.succeeded = result.succeeded
        raise err
    return result


class SyncTxn:
    """The blocking client's ``txn`` (mixed into ``paddock.Client``)."""

    def txn(
        self: Client,
        compare: Sequence[Compare],
        then: Sequence[Op] = (),
        otherwise: Sequence[Op] = (),
    ) -> TxnResult:
        """When every condition in ``compare`` holds, applies ``then``, else ``otherwise``, each
        as one atomic multi; see ``paddock.txn``."""
        return self._run(self.aio.txn(compare, then, otherwise))


__all__ = ["Compare", "CompareTarget", "SyncTxn", "TxnResult", "txn_request", "txn_result"]
