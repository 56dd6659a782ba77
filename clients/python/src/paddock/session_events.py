"""What a recipe that holds something (a lock, leadership, membership) tells its user about the
session, as the TypeScript recipes do (docs/RECIPES.md): SUSPENDED the moment the connection
drops (the hold may be gone: stop acting on it), RECONNECTED when the same session resumes (the
hold is intact), LOST when the session expired or closed (the node is gone; the next contender
goes ahead only then)."""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable

from .client import Client
from .types import SessionState


class ConnectionEvent(enum.Enum):
    SUSPENDED = "suspended"
    RECONNECTED = "reconnected"
    LOST = "lost"


EventListener = Callable[[ConnectionEvent], None]

_FINAL = (SessionState.EXPIRED, SessionState.CLOSED, SessionState.AUTH_FAILED)


class SessionFollower:
    """Turns the client's session states into ConnectionEvents between ``start()`` and
    ``stop()`` (while the recipe holds something); listeners run on the client's events thread."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._listeners: list[EventListener] = []
        self._mutex = threading.Lock()
        self._active = False
        self._suspended = False
        self.lost = False  # the session ended while holding: the node went with it
        # Listening on the client only between start() and stop() (or the session's end): a
        # long-lived client sees many recipes come and go, and must not keep a listener for each.
        self._listening = False

    def add_listener(self, listener: EventListener) -> None:
        with self._mutex:
            self._listeners.append(listener)

    def remove_listener(self, listener: EventListener) -> None:
        with self._mutex:
            self._listeners.remove(listener)

    def start(self) -> None:
        with self._mutex:
            self._active, self._suspended, self.lost = True, False, False
            listen, self._listening = not self._listening, True
        if listen:
            self._client.add_listener(self._on_state)
        # A drop between the acquisition and now is told at once.
        self._on_state(self._client.state)

    def stop(self) -> None:
        with self._mutex:
            self._active = False
            unlisten, self._listening = self._listening, False
        if unlisten:
            self._client.remove_listener(self._on_state)

    def _on_state(self, state: SessionState | None) -> None:
        with self._mutex:
            if not self._active:
                return
            if state in _FINAL:
                self._active, self.lost, self._listening = False, True, False
                self._client.remove_listener(self._on_state)  # the session is over
                event = ConnectionEvent.LOST
            elif state == SessionState.DISCONNECTED and not self._suspended:
                self._suspended = True
                event = ConnectionEvent.SUSPENDED
            elif state == SessionState.CONNECTED and self._suspended:
                self._suspended = False
                event = ConnectionEvent.RECONNECTED
            else:
                return
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)


__all__ = ["ConnectionEvent", "EventListener", "SessionFollower"]
