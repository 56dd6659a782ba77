"""A tree cache (Curator's CuratorCache): the subtree under a path kept in memory from one
persistent recursive watch on its root, shared layout-free by every client (docs/RECIPES.md).

Each event re-reads the node it names, so the cache converges to the latest state; after a
reconnect the whole subtree is read again and the differences reported, so no update is missed
across a disconnection. The reads run on the cache's own thread, never on the client's event
thread.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from . import errors
from .client import Client
from .types import AddWatchMode, EventType, SessionState, WatchedEvent, WatcherType

log = logging.getLogger(__name__)

#: ``listener(kind, path, data)``: kind is "added", "updated" or "removed" (data None).
TreeListener = Callable[[str, str, bytes | None], Any]

_RELOAD = object()
_STOP = object()


class TreeCache:
    """``TreeCache(client, "/config", listener).start()``; ``get(path)``, ``current()``."""

    def __init__(self, client: Client, path: str, listener: TreeListener | None = None) -> None:
        self.client = client
        self.path = path.rstrip("/") or "/"
        self.listener = listener
        self._nodes: dict[str, tuple[bytes, int]] = {}  # path -> (data, mzxid)
        self._mutex = threading.Lock()
        self._work: queue.Queue[object] = queue.Queue()
        self._loaded = threading.Event()
        self._thread = threading.Thread(target=self._main, name=f"tree-cache{path}", daemon=True)
        self._was_disconnected = False

    def start(self) -> TreeCache:
        self.client.add_listener(self._on_state)
        self.client.add_watch(self.path, self._on_event, AddWatchMode.PERSISTENT_RECURSIVE)
        self._work.put(_RELOAD)
        self._thread.start()
        return self

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """True once the first full read is in the cache."""
        return self._loaded.wait(timeout)

    def get(self, path: str) -> bytes | None:
        with self._mutex:
            entry = self._nodes.get(path)
        return None if entry is None else entry[0]

    def current(self) -> dict[str, bytes]:
        with self._mutex:
            return {p: data for p, (data, _) in self._nodes.items()}

    def close(self) -> None:
        self._work.put(_STOP)
        self.client.remove_listener(self._on_state)
        # Remove the server's watch only when no other local watcher shares it.
        if self.client.connected and self.client._discard_persistent(
            self.path, self._on_event, True
        ):
            with contextlib.suppress(errors.PaddockError):
                self.client.remove_watches(self.path, WatcherType.PERSISTENT_RECURSIVE)
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _on_event(self, event: WatchedEvent) -> None:
        if event.type in (EventType.NODE_CREATED, EventType.NODE_DATA_CHANGED):
            self._work.put(event.path)
        elif event.type == EventType.NODE_DELETED:
            self._work.put(("deleted", event.path))

    def _on_state(self, state: SessionState) -> None:
        if state == SessionState.DISCONNECTED:
            self._was_disconnected = True
        elif state == SessionState.CONNECTED and self._was_disconnected:
            self._was_disconnected = False
            self._work.put(_RELOAD)  # events may have been missed: read everything again
        elif state in (SessionState.EXPIRED, SessionState.CLOSED):
            self._work.put(_STOP)

    def _main(self) -> None:
        while True:
            item = self._work.get()
            if item is _STOP:
                return
            try:
                if item is _RELOAD:
                    self._reload()
                elif isinstance(item, tuple):
                    self._remove(item[1])
                else:
                    self._refresh(str(item))
            except errors.ConnectionLossError:
                pass  # the reconnect queues a full reload
            except errors.PaddockError:
                log.exception("tree cache %s: refresh failed", self.path)

    def _notify(self, kind: str, path: str, data: bytes | None) -> None:
        if self.listener is not None:
            try:
                self.listener(kind, path, data)
            except Exception:
                log.exception("tree cache %s: listener failed", self.path)

    def _refresh(self, path: str) -> None:
        try:
            data, stat = self.client.get_data(path)
        except errors.NoNodeError:
            self._remove(path)
            return
        with self._mutex:
            old = self._nodes.get(path)
            if old is not None and old[1] >= stat.mzxid:
                return  # already as new
            self._nodes[path] = (data, stat.mzxid)
        self._notify("added" if old is None else "updated", path, data)

    def _remove(self, path: str) -> None:
        prefix = path.rstrip("/") + "/"
        with self._mutex:
            gone = sorted(p for p in self._nodes if p == path or p.startswith(prefix))
            for p in gone:
                del self._nodes[p]
        for p in reversed(gone):
            self._notify("removed", p, None)

    def _reload(self) -> None:
        fresh: dict[str, tuple[bytes, int]] = {}
        pending = [self.path]
        while pending:
            path = pending.pop()
            try:
                data, stat = self.client.get_data(path)
                children = self.client.get_children(path)
            except errors.NoNodeError:
                continue
            fresh[path] = (data, stat.mzxid)
            base = "" if path == "/" else path
            pending.extend(f"{base}/{c}" for c in children)
        with self._mutex:
            old, self._nodes = self._nodes, fresh
        for p in sorted(set(old) - set(fresh), reverse=True):
            self._notify("removed", p, None)
        for p in sorted(fresh):
            if p not in old:
                self._notify("added", p, fresh[p][0])
            elif old[p][1] != fresh[p][1]:
                self._notify("updated", p, fresh[p][0])
        self._loaded.set()


__all__ = ["TreeCache", "TreeListener"]
