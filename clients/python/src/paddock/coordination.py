"""Curator's other coordination recipes, in its node layouts (docs/RECIPES.md), shared by every
Paddock client: read-write lock, semaphore, atomic counter, barrier, distributed queue and
cluster-unique ids (``next_id``)."""

from __future__ import annotations

import contextlib
import struct
import threading
import time
from collections.abc import Callable

from . import errors
from .client import Client
from .recipes import Lock, _Queue, protected_prefix
from .types import CreateMode

READ_MARKER = "__READ__"
WRITE_MARKER = "__WRIT__"


class _ReaderQueue(_Queue):
    """A reader holds when no writer is ahead (or its own write lock is held: a downgrade);
    otherwise it waits for the first writer ahead of it."""

    def __init__(self, client: Client, path: str, writer: _Queue) -> None:
        super().__init__(client, path, READ_MARKER, "", (READ_MARKER, WRITE_MARKER))
        self._writer = writer

    def _watch_index(self, names: list[str], index: int) -> int | None:
        if self._writer._held:
            return None
        for i in range(index):
            if WRITE_MARKER in names[i]:
                return i
        return None


class ReadWriteLock:
    """Curator's InterProcessReadWriteLock: ``_c_<uuid>-__READ__<seq>`` and ``…-__WRIT__<seq>``
    under ``path``; ``read_lock`` and ``write_lock`` are :class:`~paddock.recipes.Lock` objects."""

    def __init__(self, client: Client, path: str) -> None:
        writer = _Queue(client, path, WRITE_MARKER, "", (READ_MARKER, WRITE_MARKER))
        self.write_lock = Lock(client, path, _q=writer)
        self.read_lock = Lock(client, path, _q=_ReaderQueue(client, path, writer))


class Lease:
    """A semaphore lease; ``czxid`` (its node's creating zxid) is a fencing token."""

    def __init__(self, client: Client, path: str, czxid: int) -> None:
        self.client = client
        self.path = path
        self.czxid = czxid

    def release(self) -> None:
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(self.path)


class Semaphore:
    """Curator's InterProcessSemaphoreV2: leases are ``<path>/leases/_c_<uuid>-lease-<seq>``
    (ephemeral sequential), granted while at most ``max_leases`` exist; ``<path>/locks`` is a lock
    serialising acquirers, so only its holder watches the leases (no herd)."""

    def __init__(self, client: Client, path: str, max_leases: int) -> None:
        if max_leases < 1:
            raise ValueError(f"max_leases for {path} must be at least 1, got {max_leases}")
        self.client = client
        self.path = path.rstrip("/")
        self.max_leases = max_leases

    def acquire(self, timeout: float | None = None) -> Lease | None:
        """A lease, or None when ``timeout`` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        lock = Lock(self.client, f"{self.path}/locks")
        if not lock.acquire(timeout=timeout):
            return None
        try:
            leases = f"{self.path}/leases"
            self.client.ensure_path(leases)
            node = self.client.create(
                f"{leases}/{protected_prefix()}lease-", mode=CreateMode.EPHEMERAL_SEQUENTIAL
            )
            stat = self.client.exists(node)
            lease = Lease(self.client, node, stat.czxid if stat is not None else 0)
            while True:
                changed = threading.Event()
                if (
                    len(self.client.get_children(leases, lambda _, e=changed: e.set()))
                    <= self.max_leases
                ):
                    return lease
                remaining = None if deadline is None else deadline - time.monotonic()
                if (remaining is not None and remaining <= 0) or not changed.wait(remaining):
                    lease.release()
                    return None
        finally:
            lock.release()


class AtomicLong:
    """Curator's DistributedAtomicLong format: the node's data is the value as 8 bytes
    big-endian (no node reads as 0), changed by compare-and-set on the node's version."""

    ATTEMPTS = 10_000

    def __init__(self, client: Client, path: str) -> None:
        self.client = client
        self.path = path.rstrip("/")

    def _read(self) -> tuple[int, int | None]:
        try:
            data, stat = self.client.get_data(self.path)
        except errors.NoNodeError:
            return 0, None
        if len(data) == 0:
            return 0, stat.version
        if len(data) != 8:
            raise ValueError(f"counter {self.path} holds {len(data)} bytes, not 8")
        return struct.unpack(">q", data)[0], stat.version

    def get(self) -> int:
        return self._read()[0]

    def add(self, delta: int) -> tuple[int, int]:
        """Adds ``delta``; returns the values (before, after)."""
        pre, post, _ = self.update(lambda v: v + delta)
        return pre, post

    def compare_and_set(self, expected: int, new: int) -> bool:
        return self.update(lambda v: new if v == expected else None)[2]

    def update(self, f: Callable[[int], int | None]) -> tuple[int, int, bool]:
        """Applies ``f(value) -> new value or None`` (None: no write) in a CAS loop."""
        for _ in range(self.ATTEMPTS):
            value, version = self._read()
            new = f(value)
            if new is None:
                return value, value, False
            data = struct.pack(">q", new)
            try:
                if version is None:
                    parent = self.path.rsplit("/", 1)[0]
                    if parent:
                        self.client.ensure_path(parent)
                    self.client.create(self.path, data)
                else:
                    self.client.set_data(self.path, data, version)
                return value, new, True
            except (errors.BadVersionError, errors.NodeExistsError):
                continue  # someone else won this round
        raise RuntimeError(f"counter {self.path}: no update won in {self.ATTEMPTS} attempts")


class Barrier:
    """Curator's DistributedBarrier: up while its node exists; waiters watch that one node."""

    def __init__(self, client: Client, path: str) -> None:
        self.client = client
        self.path = path.rstrip("/")

    def set(self) -> None:
        parent = self.path.rsplit("/", 1)[0]
        if parent:
            self.client.ensure_path(parent)
        with contextlib.suppress(errors.NodeExistsError):
            self.client.create(self.path)

    def remove(self) -> None:
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(self.path)

    def wait(self, timeout: float | None = None) -> bool:
        """True once the barrier is down, False when ``timeout`` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            gone = threading.Event()
            if self.client.exists(self.path, lambda _, e=gone: e.set()) is None:
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if (remaining is not None and remaining <= 0) or not gone.wait(remaining):
                return False


_VERSION, _ITEM, _EOF = 0x00010001, 0x01, 0x02


def serialize_items(*items: bytes) -> bytes:
    """Curator's ItemSerializer framing: version, per item opcode 1 + length + bytes, then 2."""
    out = bytearray(struct.pack(">i", _VERSION))
    for item in items:
        out += struct.pack(">bi", _ITEM, len(item)) + item
    out.append(_EOF)
    return bytes(out)


def deserialize_items(data: bytes, path: str) -> list[bytes]:
    if len(data) < 5 or struct.unpack(">i", data[:4])[0] != _VERSION:
        raise ValueError(f"queue item {path}: not in Curator's item framing")
    items, at = [], 4
    while True:
        if at >= len(data):
            raise ValueError(f"queue item {path}: truncated at byte {at}")
        if data[at] == _EOF:
            return items
        if data[at] != _ITEM or at + 5 > len(data):
            raise ValueError(f"queue item {path}: bad opcode or truncated at byte {at}")
        (length,) = struct.unpack(">i", data[at + 1 : at + 5])
        if length < 0 or at + 5 + length > len(data):
            raise ValueError(f"queue item {path}: item length {length} past the end")
        items.append(data[at + 5 : at + 5 + length])
        at += 5 + length


def priority_key(priority: int) -> str:
    """Curator's priorityToString: sign digit, then the 32-bit value in 8 hex digits."""
    if not -(2**31) <= priority < 2**31:
        raise ValueError(f"queue priority must be a 32-bit integer, got {priority}")
    return ("1" if priority >= 0 else "0") + f"{priority & 0xFFFFFFFF:08X}"


class Queue:
    """Curator's DistributedQueue: items are ``<path>/queue-<seq>`` (with a priority:
    ``queue-<priority_key><seq>``, lower first), persistent sequential, in ItemSerializer framing.
    A consumer takes the first item by deleting it; losing that race moves it to the next."""

    def __init__(self, client: Client, path: str) -> None:
        self.client = client
        self.path = path.rstrip("/")

    def put(self, item: bytes, priority: int | None = None) -> str:
        name = "queue-" if priority is None else f"queue-{priority_key(priority)}"
        data = serialize_items(item)
        try:
            return self.client.create(
                f"{self.path}/{name}", data, mode=CreateMode.PERSISTENT_SEQUENTIAL
            )
        except errors.NoNodeError:
            self.client.ensure_path(self.path)
            return self.client.create(
                f"{self.path}/{name}", data, mode=CreateMode.PERSISTENT_SEQUENTIAL
            )

    def take(self, timeout: float | None = None) -> bytes | None:
        """Removes and returns the first item, waiting for one; None when ``timeout`` passes."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self.client.ensure_path(self.path)
        while True:
            changed = threading.Event()
            names = self.client.get_children(self.path, lambda _, e=changed: e.set())
            for name in sorted(n for n in names if n.startswith("queue-")):
                path = f"{self.path}/{name}"
                try:
                    data, stat = self.client.get_data(path)
                    self.client.delete(path, stat.version)
                except errors.NoNodeError:
                    continue  # another consumer took it
                items = deserialize_items(data, path)
                if items:
                    return items[0]
            remaining = None if deadline is None else deadline - time.monotonic()
            if (remaining is not None and remaining <= 0) or not changed.wait(remaining):
                return None


def next_id(client: Client, path: str) -> int:
    """A cluster-unique id: the counter ZooKeeper appends to ``<path>/id-`` (created persistent
    sequential, then deleted). Unique and increasing for the life of ``path``."""
    client.ensure_path(path)
    node: str = client.create(f"{path.rstrip('/')}/id-", mode=CreateMode.PERSISTENT_SEQUENTIAL)
    with contextlib.suppress(errors.NoNodeError):
        client.delete(node)
    return int(node.rsplit("id-", 1)[1])


__all__ = [
    "AtomicLong",
    "Barrier",
    "Lease",
    "Queue",
    "ReadWriteLock",
    "Semaphore",
    "deserialize_items",
    "next_id",
    "priority_key",
    "serialize_items",
]
