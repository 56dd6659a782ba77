"""Plain Python values for the Paddock data model (ZooKeeper's names and numbers)."""

from __future__ import annotations

import base64
import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass


class CreateMode(enum.IntEnum):
    PERSISTENT = 0
    EPHEMERAL = 1
    PERSISTENT_SEQUENTIAL = 2
    EPHEMERAL_SEQUENTIAL = 3
    CONTAINER = 4
    PERSISTENT_WITH_TTL = 5
    PERSISTENT_SEQUENTIAL_WITH_TTL = 6

    @property
    def is_sequential(self) -> bool:
        return self in (
            CreateMode.PERSISTENT_SEQUENTIAL,
            CreateMode.EPHEMERAL_SEQUENTIAL,
            CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
        )

    @property
    def is_ttl(self) -> bool:
        return self in (CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL)


class Perm(enum.IntFlag):
    NONE = 0
    READ = 1
    WRITE = 2
    CREATE = 4
    DELETE = 8
    ADMIN = 16
    ALL = 31


class EventType(enum.IntEnum):
    NONE = 0
    NODE_CREATED = 1
    NODE_DELETED = 2
    NODE_DATA_CHANGED = 3
    NODE_CHILDREN_CHANGED = 4
    DATA_WATCH_REMOVED = 5
    CHILD_WATCH_REMOVED = 6
    PERSISTENT_WATCH_REMOVED = 7


class SessionState(enum.IntEnum):
    """States reported to session listeners (same numbers as the protocol's SessionState)."""

    CONNECTED = 1
    DISCONNECTED = 2
    EXPIRED = 3
    CLOSED = 4
    AUTH_FAILED = 5


class WatcherType(enum.IntEnum):
    """Which watches ``remove_watches`` removes."""

    CHILDREN = 1
    DATA = 2
    ANY = 3
    PERSISTENT = 4
    PERSISTENT_RECURSIVE = 5


class AddWatchMode(enum.IntEnum):
    PERSISTENT = 0
    PERSISTENT_RECURSIVE = 1


@dataclass(frozen=True, slots=True)
class ZnodeStat:
    """ZooKeeper's Stat, field for field (times in ms since the epoch)."""

    czxid: int
    mzxid: int
    ctime: int
    mtime: int
    version: int
    cversion: int
    aversion: int
    ephemeral_owner: int
    data_length: int
    num_children: int
    pzxid: int


@dataclass(frozen=True, slots=True)
class Id:
    scheme: str
    id: str


@dataclass(frozen=True, slots=True)
class ACL:
    perms: int
    id: Id


@dataclass(frozen=True, slots=True)
class WatchedEvent:
    type: EventType
    path: str
    zxid: int


@dataclass(frozen=True, slots=True)
class ClientInfo:
    auth_scheme: str
    user: str


ANYONE_ID_UNSAFE = Id("world", "anyone")
AUTH_IDS = Id("auth", "")
OPEN_ACL_UNSAFE: tuple[ACL, ...] = (ACL(Perm.ALL, ANYONE_ID_UNSAFE),)
CREATOR_ALL_ACL: tuple[ACL, ...] = (ACL(Perm.ALL, AUTH_IDS),)
READ_ACL_UNSAFE: tuple[ACL, ...] = (ACL(Perm.READ, ANYONE_ID_UNSAFE),)


def digest(user: str, password: str) -> str:
    """ZooKeeper's digest id: ``user:base64(sha1("user:password"))``."""
    raw = hashlib.sha1(f"{user}:{password}".encode()).digest()
    return f"{user}:{base64.b64encode(raw).decode('ascii')}"


def make_digest_acl(user: str, password: str, perms: int = Perm.ALL) -> ACL:
    """An ACL entry granting ``perms`` to the digest user ``user`` with ``password``."""
    return ACL(int(perms), Id("digest", digest(user, password)))


def sequence_of(name: str) -> int:
    """The sequence number a sequential create appended (the last 10 digits of the name)."""
    tail = name[-10:]
    if len(tail) != 10 or not tail.isdigit():
        raise ValueError(f"{name!r} does not end with a 10-digit sequence number")
    return int(tail)


AuthPair = tuple[str, str | bytes]
AclList = Sequence[ACL]
