"""Curator's LeaderSelector: participants queue on an exclusive lock under ``path``
(``_c_<uuid>-lock-<seq>``, data = the participant's id: the ``Lock`` recipe's layout) and the
holder runs ``take_leadership(leadership)`` in the selector's thread. Leadership ends when the
callback returns (then, with ``auto_requeue``, the participant queues again) or at once when the
session is SUSPENDED or LOST: ``leadership.cancelled`` is set (Python cannot interrupt a thread,
so the callback checks it, as a Curator callback checks its interrupt) and listeners are told."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable

from . import errors
from .client import Client
from .recipes import LOCK_PREFIX, Lock, _Queue
from .session_events import ConnectionEvent, EventListener, SessionFollower
from .types import SessionState

_FINAL = (SessionState.EXPIRED, SessionState.CLOSED, SessionState.AUTH_FAILED)


class Leadership:
    """What the leader's callback gets: ``cancelled`` is set when leadership is taken away."""

    def __init__(self, fencing_token: int) -> None:
        self.fencing_token = fencing_token  # the lock node's czxid: a later leader's is larger
        self.cancelled = threading.Event()
        self.reason = ""  # "suspended", "lost" or "closed" once cancelled

    def cancel(self, reason: str) -> None:
        if not self.cancelled.is_set():
            self.reason = reason
            self.cancelled.set()


@dataclasses.dataclass(frozen=True)
class Participant:
    id: str
    is_leader: bool


class LeaderSelector:
    def __init__(
        self,
        client: Client,
        path: str,
        take_leadership: Callable[[Leadership], None],
        identifier: str = "",
        *,
        auto_requeue: bool = False,
    ) -> None:
        self.client = client
        self.path = path
        self.identifier = identifier
        self.auto_requeue = auto_requeue
        self.failures: list[BaseException] = []  # callback errors and failed queueing
        self._take = take_leadership
        self._mutex = threading.Lock()
        self._session = SessionFollower(client)
        self._session.add_listener(self._on_event)
        self._listeners: list[EventListener] = []
        self._following = False
        self._queued = False
        self._closed = False
        self._leading: Leadership | None = None
        self._lock: Lock | None = None
        self._thread: threading.Thread | None = None

    @property
    def has_leadership(self) -> bool:
        with self._mutex:
            return self._leading is not None and not self._leading.cancelled.is_set()

    def add_listener(self, listener: EventListener) -> None:
        """``listener(ConnectionEvent)`` runs on the events thread from start() to close()."""
        with self._mutex:
            self._listeners.append(listener)

    def start(self) -> None:
        if self._closed:
            raise RuntimeError(f"leader selector on {self.path} is closed")
        self.requeue()

    def requeue(self) -> bool:
        """Queues again unless already queued or leading (False then), as Curator's requeue()."""
        with self._mutex:
            if self._queued or self._closed:
                return False
            self._queued = True
            follow, self._following = not self._following, True
            self._thread = threading.Thread(target=self._turns, daemon=True, name="leader-selector")
        if follow:
            self._session.start()
        self._thread.start()
        return True

    def close(self) -> None:
        """Cancels a running leadership or a wait in the queue, waits for it, removes the node."""
        with self._mutex:
            self._closed = True
            if self._leading is not None:
                self._leading.cancel("closed")
            thread = self._thread
        while thread is not None and thread.is_alive():
            lock = self._lock
            if lock is not None:
                lock.cancel()  # repeated: a cancel just before acquire() starts is reset by it
            thread.join(0.1)
        self._session.stop()

    def participants(self) -> list[Participant]:
        """The queue in order, the leader first (Curator's getParticipants)."""
        try:
            ids = _Queue(self.client, self.path, LOCK_PREFIX, "").contenders()
        except errors.NoNodeError:  # nobody has queued yet
            return []
        return [Participant(pid, i == 0) for i, pid in enumerate(ids)]

    def _on_event(self, event: ConnectionEvent) -> None:
        with self._mutex:
            if event != ConnectionEvent.RECONNECTED and self._leading is not None:
                self._leading.cancel(event.value)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)

    def _turns(self) -> None:
        try:
            while not self._closed and self.client.state not in _FINAL:
                try:
                    self._turn()
                except Exception as e:  # reported, not raised: this is the selector's thread
                    if not self._closed and self.client.state not in _FINAL:
                        self.failures.append(e)
                if not self.auto_requeue:
                    break
        finally:
            with self._mutex:
                self._queued = False

    def _turn(self) -> None:
        lock = Lock(self.client, self.path, self.identifier)
        self._lock = lock
        if self._closed or not lock.acquire():
            return
        node = lock.node
        try:
            with self._mutex:
                if self._closed or self.client.state != SessionState.CONNECTED:
                    return
                leadership = self._leading = Leadership(lock.fencing_token)
            try:
                self._take(leadership)
            except Exception as e:
                if not leadership.cancelled.is_set():
                    self.failures.append(e)
        finally:
            with self._mutex:
                self._leading = None
            self._release(lock, node)

    def _release(self, lock: Lock, node: str | None) -> None:
        """Deletes the lock node, retrying across a disconnection until the session is lost:
        an orphaned node would hold the lock for as long as the session lives."""
        try:
            lock.release()
            return
        except errors.ConnectionLossError:
            pass
        while node is not None and self.client.state not in _FINAL:
            try:
                with contextlib.suppress(errors.NoNodeError):
                    self.client.delete(node)
                return
            except errors.ConnectionLossError:
                time.sleep(0.1)  # retry backoff while disconnected
            except errors.SessionExpiredError:
                return


__all__ = ["LeaderSelector", "Leadership", "Participant"]
