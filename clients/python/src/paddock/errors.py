"""Typed exceptions named after ZooKeeper's, carrying ZooKeeper's numeric codes.

Every error a call can raise is a ``PaddockError`` with ``code`` (ZooKeeper's number), ``path``
(the znode it concerns, "" when none) and ``message``. ``error_for`` maps a code to its class.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PaddockError(Exception):
    """Base of every Paddock error. ``code`` is ZooKeeper's numeric error code."""

    code: ClassVar[int] = -1
    name: ClassVar[str] = "SystemError"
    #: For a failed ``multi``: the per-op results (OpResult objects), else None.
    results: list[Any] | None = None
    #: For a ``txn`` whose branch failed: True for the then-branch, False for the else-branch.
    succeeded: bool | None = None

    def __init__(self, message: str = "", path: str = "", *, code: int | None = None) -> None:
        self.path = path
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]  # instance override for unknown codes
        text = f"{self.name} ({self.code})"
        if path:
            text += f" for {path}"
        detail = _detail(self.name, path, message)
        if detail:
            text += f": {detail}"
        super().__init__(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.path), {"code": self.code})


def _detail(name: str, path: str, message: str) -> str:
    """What the text does not say already: the server writes "<Name> for <path>: <detail>" and
    the text names the code and path itself, so each fact is said once."""
    if message.lower() == name.lower():
        return ""
    head = f"{name} for {path}".lower()
    if path and message.lower().startswith(head):
        rest = message[len(head) :]
        if not rest:
            return ""
        if rest.startswith(": "):
            return rest[2:]
    return message


class PaddockSystemError(PaddockError):
    """ZooKeeper's SystemError (-1): an unexpected server-side failure."""

    code = -1
    name = "SystemError"


class RuntimeInconsistencyError(PaddockError):
    """In a failed multi, the ops after the failing one (-2)."""

    code = -2
    name = "RuntimeInconsistency"


class DataInconsistencyError(PaddockError):
    code = -3
    name = "DataInconsistency"


class ConnectionLossError(PaddockError):
    """The connection to the server was lost before a reply came (-4).

    The request may or may not have been applied; the session may still be alive.
    """

    code = -4
    name = "ConnectionLoss"


class MarshallingError(PaddockError):
    code = -5
    name = "MarshallingError"


class UnimplementedError(PaddockError):
    code = -6
    name = "Unimplemented"


class OperationTimeoutError(PaddockError):
    code = -7
    name = "OperationTimeout"


class BadArgumentsError(PaddockError):
    code = -8
    name = "BadArguments"


class InvalidStateError(PaddockError):
    """The client is not in a state that allows the call (closed, never connected) (-9)."""

    code = -9
    name = "InvalidState"


class ClientClosedError(InvalidStateError):
    """The client was closed by its user."""

    name = "ClientClosed"


class UnknownSessionError(PaddockError):
    code = -12
    name = "UnknownSession"


class NewConfigNoQuorumError(PaddockError):
    """reconfig: too few voters of the new configuration are in sync with the leader (-13)."""

    code = -13
    name = "NewConfigNoQuorum"


class ReconfigInProgressError(PaddockError):
    """reconfig: another reconfiguration is proposed and not yet committed (-14)."""

    code = -14
    name = "ReconfigInProgress"


class APIError(PaddockError):
    code = -100
    name = "APIError"


class NoNodeError(PaddockError):
    code = -101
    name = "NoNode"


class NoAuthError(PaddockError):
    code = -102
    name = "NoAuth"


class BadVersionError(PaddockError):
    code = -103
    name = "BadVersion"


class NoChildrenForEphemeralsError(PaddockError):
    code = -108
    name = "NoChildrenForEphemerals"


class NodeExistsError(PaddockError):
    code = -110
    name = "NodeExists"


class NotEmptyError(PaddockError):
    code = -111
    name = "NotEmpty"


class SessionExpiredError(PaddockError):
    code = -112
    name = "SessionExpired"


class InvalidCallbackError(PaddockError):
    code = -113
    name = "InvalidCallback"


class InvalidACLError(PaddockError):
    code = -114
    name = "InvalidACL"


class AuthFailedError(PaddockError):
    code = -115
    name = "AuthFailed"


class SessionMovedError(PaddockError):
    code = -118
    name = "SessionMoved"


class NotReadOnlyError(PaddockError):
    code = -119
    name = "NotReadOnly"


class EphemeralOnLocalSessionError(PaddockError):
    code = -120
    name = "EphemeralOnLocalSession"


class NoWatcherError(PaddockError):
    code = -121
    name = "NoWatcher"


class RequestTimeoutError(PaddockError):
    code = -122
    name = "RequestTimeout"


class ReconfigDisabledError(PaddockError):
    """reconfig on a server without reconfigEnabled=true (-123)."""

    code = -123
    name = "ReconfigDisabled"


class SessionClosedRequireSaslAuthError(PaddockError):
    code = -124
    name = "SessionClosedRequireSaslAuth"


class QuotaExceededError(PaddockError):
    code = -125
    name = "QuotaExceeded"


class ThrottledError(PaddockError):
    code = -127
    name = "Throttled"


class QueueFullError(ThrottledError):
    """A bounded client-side queue is full (requests or watch events); back off and retry."""

    name = "QueueFull"


_BY_CODE: dict[int, type[PaddockError]] = {
    cls.code: cls
    for cls in (
        PaddockSystemError,
        RuntimeInconsistencyError,
        DataInconsistencyError,
        ConnectionLossError,
        MarshallingError,
        UnimplementedError,
        OperationTimeoutError,
        BadArgumentsError,
        InvalidStateError,
        UnknownSessionError,
        NewConfigNoQuorumError,
        ReconfigInProgressError,
        APIError,
        NoNodeError,
        NoAuthError,
        BadVersionError,
        NoChildrenForEphemeralsError,
        NodeExistsError,
        NotEmptyError,
        SessionExpiredError,
        InvalidCallbackError,
        InvalidACLError,
        AuthFailedError,
        SessionMovedError,
        NotReadOnlyError,
        EphemeralOnLocalSessionError,
        NoWatcherError,
        RequestTimeoutError,
        ReconfigDisabledError,
        SessionClosedRequireSaslAuthError,
        QuotaExceededError,
        ThrottledError,
    )
}


def error_for(code: int, path: str = "", message: str = "") -> PaddockError:
    """The exception for a ZooKeeper error code (a plain PaddockError for an unknown code)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return PaddockError(message, path, code=code)
    return cls(message, path)


__all__ = [
    "APIError",
    "AuthFailedError",
    "BadArgumentsError",
    "BadVersionError",
    "ClientClosedError",
    "ConnectionLossError",
    "DataInconsistencyError",
    "EphemeralOnLocalSessionError",
    "InvalidACLError",
    "InvalidCallbackError",
    "InvalidStateError",
    "MarshallingError",
    "NewConfigNoQuorumError",
    "NoAuthError",
    "NoChildrenForEphemeralsError",
    "NoNodeError",
    "NoWatcherError",
    "NodeExistsError",
    "NotEmptyError",
    "NotReadOnlyError",
    "OperationTimeoutError",
    "PaddockError",
    "PaddockSystemError",
    "QueueFullError",
    "QuotaExceededError",
    "ReconfigDisabledError",
    "ReconfigInProgressError",
    "RequestTimeoutError",
    "RuntimeInconsistencyError",
    "SessionClosedRequireSaslAuthError",
    "SessionExpiredError",
    "SessionMovedError",
    "ThrottledError",
    "UnimplementedError",
    "UnknownSessionError",
    "error_for",
]
