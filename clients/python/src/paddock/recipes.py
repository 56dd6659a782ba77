"""ZooKeeper's textbook recipes on the synchronous client: a lock and a leader election.

Both queue contenders as EPHEMERAL_SEQUENTIAL children of one znode and each waits on its
predecessor only (no herd effect). Names are Apache Curator's, shared by the Paddock clients of
every language (docs/RECIPES.md): ``_c_<uuid>-lock-<seq>`` for the lock (InterProcessMutex) and
``_c_<uuid>-latch-<seq>`` for the election (LeaderLatch), ordered by the digits after the marker;
the lowest sequence holds. A holder whose session expires loses the lock with its ephemeral node;
listeners added with ``add_listener`` hear SUSPENDED, RECONNECTED and LOST while it holds
(``paddock.session_events``), and ``fencing_token`` is the holder node's czxid.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from . import errors
from .client import Client
from .session_events import EventListener, SessionFollower
from .types import CreateMode, SessionState, WatchedEvent

T = TypeVar("T")

LOCK_PREFIX = "lock-"
ELECTION_PREFIX = "latch-"


def protected_prefix() -> str:
    """Curator's ``_c_<uuid>-``: finds our own node again after a create cut by a disconnect."""
    return f"_c_{uuid.uuid4()}-"


class _Queue:
    """A contender in a queue of sequential ephemeral children of ``path``."""

    def __init__(
        self,
        client: Client,
        path: str,
        prefix: str,
        identifier: str | bytes,
        markers: tuple[str, ...] | None = None,
    ) -> None:
        if not path.startswith("/") or (path.endswith("/") and path != "/"):
            raise ValueError(f"bad znode path {path!r}")
        self.client = client
        self.path = path.rstrip("/")
        self.prefix = prefix
        self.data = identifier.encode() if isinstance(identifier, str) else bytes(identifier)
        self.node: str | None = None  # our full path while queued or holding
        self._held = False
        self.fencing_token = 0  # our node's czxid while holding (0 otherwise)
        self.sequence = -1  # our node's sequence number while holding
        self.session = SessionFollower(client)
        self._wake = threading.Event()
        self._state_changed = threading.Condition()
        self._cancelled = False
        self._maybe_created = False
        self._protection = protected_prefix()
        # Names sort by the digits after any of the markers (the read-write lock has two).
        alternatives = "|".join(re.escape(m) for m in markers or (prefix,))
        self._pattern = re.compile(f"(?:{alternatives})(\\d+)$")
        self._listening = False  # on the client's states only while queued or holding

    def _listen(self, on: bool) -> None:
        if on != self._listening:
            self._listening = on
            if on:
                self.client.add_listener(self._on_state)
            else:
                self.client.remove_listener(self._on_state)

    def _on_state(self, state: SessionState) -> None:
        if state in (SessionState.EXPIRED, SessionState.CLOSED, SessionState.AUTH_FAILED):
            self._held = False
        self._wake.set()
        with self._state_changed:
            self._state_changed.notify_all()

    def _await_connected(self, deadline: float | None) -> bool:
        """After a ConnectionLoss: waits for the session to come back (False if it did not)."""
        with self._state_changed:
            while self.client.state == SessionState.DISCONNECTED:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._state_changed.wait(remaining)
        return self.client.state == SessionState.CONNECTED

    def _sequence(self, name: str) -> int | None:
        m = self._pattern.search(name)
        return int(m.group(1)) if m else None

    def _queue_names(self) -> list[str]:
        names = [c for c in self.client.get_children(self.path) if self._sequence(c) is not None]
        return sorted(names, key=lambda c: (self._sequence(c), c))

    def _enqueue(self) -> None:
        if self._maybe_created:
            # A create was cut off by a connection loss and may have been applied: look for
            # our node by its protection prefix before creating another.
            self.node = self._find_own_node()
            self._maybe_created = False
            if self.node is not None:
                return
        self.client.ensure_path(self.path)
        self._protection = protected_prefix()
        self._maybe_created = True
        self.node = self.client.create(
            f"{self.path}/{self._protection}{self.prefix}",
            self.data,
            mode=CreateMode.EPHEMERAL_SEQUENTIAL,
        )
        self._maybe_created = False

    def _find_own_node(self) -> str | None:
        for name in self.client.get_children(self.path):
            if name.startswith(self._protection):
                return f"{self.path}/{name}"
        return None

    def _wait_turn(self, blocking: bool, timeout: float | None) -> bool:
        """Enqueues (if needed) and waits to be first. False on timeout/cancel (dequeued)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._listen(True)
        try:
            while True:
                try:
                    return self._try_turn(blocking, deadline)
                except errors.ConnectionLossError:
                    # The session may still be alive: wait for the reconnect and look again.
                    if not self._await_connected(deadline):
                        raise
        except BaseException:
            self._listen(self.node is not None)  # still queued: keep listening until dequeued
            raise

    def _try_turn(self, blocking: bool, deadline: float | None) -> bool:
        if self.node is None:
            self._enqueue()
        assert self.node is not None
        mine = self.node.rsplit("/", 1)[1]
        while True:
            if self._cancelled:
                self._dequeue()
                return False
            names = self._queue_names()
            if mine not in names:
                # Our ephemeral vanished (session expired, or someone deleted it).
                self.node = None
                raise errors.SessionExpiredError("lock node vanished while waiting", self.path)
            index = names.index(mine)
            watch = self._watch_index(names, index)
            if watch is None:
                self._held = True
                self._take_token(mine)
                self.session.start()
                return True
            if not blocking:
                self._dequeue()
                return False
            self._wake.clear()
            predecessor = f"{self.path}/{names[watch]}"

            def on_change(_: WatchedEvent) -> None:
                self._wake.set()

            if self.client.exists(predecessor, on_change) is None:
                continue  # it went away between the listing and the watch
            remaining = None if deadline is None else deadline - time.monotonic()
            if (remaining is not None and remaining <= 0) or not self._wake.wait(remaining):
                self._dequeue()
                return False
            if self.client.state in (SessionState.EXPIRED, SessionState.CLOSED):
                self.node = None
                raise errors.SessionExpiredError("session ended while waiting", self.path)

    def _take_token(self, mine: str) -> None:
        assert self.node is not None
        stat = self.client.exists(self.node)
        self.fencing_token = stat.czxid if stat is not None else 0
        self.sequence = self._sequence(mine) or 0

    def _watch_index(self, names: list[str], index: int) -> int | None:
        """None when our node (at ``index``) holds, else the index of the node to wait for."""
        return None if index == 0 else index - 1

    def _dequeue(self) -> None:
        node, self.node = self.node, None
        self._held = False
        self.fencing_token, self.sequence = 0, -1
        self.session.stop()
        self._listen(False)
        if node is not None and not self.session.lost:  # after LOST the node went with the session
            with contextlib.suppress(errors.NoNodeError):
                self.client.delete(node)

    def contenders(self) -> list[str]:
        """The data (identifiers) of the queued nodes, holder first."""
        out = []
        for name in self._queue_names():
            try:
                data, _ = self.client.get_data(f"{self.path}/{name}")
            except errors.NoNodeError:
                continue
            out.append(data.decode(errors="replace"))
        return out


class Lock:
    """A distributed mutex: ``with Lock(client, "/locks/x", "me"): ...``.

    ``acquire(blocking=True, timeout=None)`` returns True once held (False on timeout or
    non-blocking failure); ``release()`` deletes our node. Reentrant per Lock object, as Curator's
    InterProcessMutex: acquiring it again while held adds one to a count, and the node is deleted
    when ``release()`` has been called as many times. ``identifier`` is stored as the node's
    data so ``contenders()`` can say who is queued.
    """

    def __init__(
        self, client: Client, path: str, identifier: str | bytes = "", *, _q: _Queue | None = None
    ) -> None:
        self._q = _q or _Queue(client, path, LOCK_PREFIX, identifier)
        self._mutex = threading.Lock()
        self._count = 0  # acquisitions not yet released

    @property
    def path(self) -> str:
        return self._q.path

    @property
    def node(self) -> str | None:
        """Our lock node's full path while queued or holding."""
        return self._q.node

    @property
    def is_acquired(self) -> bool:
        return self._q._held and self._q.client.state == SessionState.CONNECTED

    @property
    def fencing_token(self) -> int:
        """The holder node's czxid while held (0 otherwise): a later holder's is larger."""
        return self._q.fencing_token

    @property
    def sequence(self) -> int:
        """The holder node's sequence number while held (-1 otherwise)."""
        return self._q.sequence

    @property
    def hold_count(self) -> int:
        return self._count

    def add_listener(self, listener: EventListener) -> None:
        """``listener(ConnectionEvent)`` runs on the events thread while the lock is held."""
        self._q.session.add_listener(listener)

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        with self._mutex:
            if self._count > 0:
                if self._q.session.lost:
                    raise errors.SessionExpiredError("lock lost with the session", self.path)
                self._count += 1
                return True
            self._q._cancelled = False
            if not self._q._wait_turn(blocking, timeout):
                return False
            self._count = 1
            return True

    def release(self) -> None:
        with self._mutex:
            if self._count == 0:
                raise RuntimeError(f"Lock {self.path} is not held by this object")
            self._count -= 1
            if self._count == 0:
                self._q._dequeue()

    def cancel(self) -> None:
        """Makes a waiting ``acquire`` (in another thread) return False."""
        self._q._cancelled = True
        self._q._wake.set()

    def contenders(self) -> list[str]:
        return self._q.contenders()

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class LeaderElection:
    """Leader election: ``LeaderElection(client, "/election/x", "me").run(func)`` blocks until
    elected, runs ``func`` as the leader, then steps down (deletes its node). Contenders are
    ``_c_<uuid>-latch-<seq>`` children (Curator's LeaderLatch); the lowest sequence leads; each
    watches only its predecessor."""

    def __init__(self, client: Client, path: str, identifier: str | bytes = "") -> None:
        self._q = _Queue(client, path, ELECTION_PREFIX, identifier)
        self._mutex = threading.Lock()

    @property
    def is_leader(self) -> bool:
        """False from SUSPENDED on (Curator's default): a leader cut off stops leading."""
        return self._q._held and self._q.client.state == SessionState.CONNECTED

    @property
    def fencing_token(self) -> int:
        """The leader node's czxid while leading (0 otherwise)."""
        return self._q.fencing_token

    def add_listener(self, listener: EventListener) -> None:
        """``listener(ConnectionEvent)`` runs on the events thread while leading."""
        self._q.session.add_listener(listener)

    def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Waits to lead, runs ``func(*args, **kwargs)`` and returns its value; returns None
        without running it if ``cancel()`` was called first."""
        with self._mutex:
            self._q._cancelled = False
            if not self._q._wait_turn(True, None):
                return None
            try:
                return func(*args, **kwargs)
            finally:
                self._q._dequeue()

    def cancel(self) -> None:
        """Withdraws from the election (a waiting ``run`` returns None)."""
        self._q._cancelled = True
        self._q._wake.set()

    def contenders(self) -> list[str]:
        """Identifiers of the contenders, the leader first."""
        return self._q.contenders()


__all__ = ["ELECTION_PREFIX", "LOCK_PREFIX", "LeaderElection", "Lock", "protected_prefix"]
