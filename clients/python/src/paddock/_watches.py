"""Client-side watch registry: which local watchers an incoming WatchEvent reaches.

The server keeps one watch per (session, path, kind) and sends one event; this registry fans it
out to every local watcher registered for it, following ZooKeeper's client rules
(ZKWatchManager): one-time data/exist/child watches are removed when they fire, persistent ones
stay; recursive watches see created/deleted/data-changed events on the path and below but never
NodeChildrenChanged. No I/O here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ._pb import session_pb2 as spb
from .types import EventType, WatchedEvent, WatcherType

Watcher = Callable[[WatchedEvent], Any]

_Table = dict[str, dict[Watcher, None]]  # path -> ordered set of watchers


def _ancestors_and_self(path: str) -> Iterator[str]:
    yield path
    while path != "/":
        path = path.rsplit("/", 1)[0] or "/"
        yield path


class WatchRegistry:
    def __init__(self) -> None:
        self.data: _Table = {}
        self.exist: _Table = {}
        self.child: _Table = {}
        self.persistent: _Table = {}
        self.recursive: _Table = {}

    @staticmethod
    def _add(table: _Table, path: str, watcher: Watcher) -> None:
        table.setdefault(path, {})[watcher] = None

    def add_data(self, path: str, watcher: Watcher) -> None:
        self._add(self.data, path, watcher)

    def add_exist(self, path: str, watcher: Watcher) -> None:
        self._add(self.exist, path, watcher)

    def add_child(self, path: str, watcher: Watcher) -> None:
        self._add(self.child, path, watcher)

    def add_persistent(self, path: str, watcher: Watcher, recursive: bool) -> None:
        self._add(self.recursive if recursive else self.persistent, path, watcher)

    def has_persistent(self, path: str, recursive: bool) -> bool:
        return bool((self.recursive if recursive else self.persistent).get(path))

    def discard_persistent(self, path: str, watcher: Watcher, recursive: bool) -> bool:
        """Drops one local persistent watcher; True if none of that kind remains on path."""
        table = self.recursive if recursive else self.persistent
        ws = table.get(path)
        if ws is not None:
            ws.pop(watcher, None)
            if not ws:
                del table[path]
        return path not in table

    def materialize(self, event: WatchedEvent, removed: WatcherType | None = None) -> list[Watcher]:
        """The watchers an event reaches, removing the one-time ones (and removed ones)."""
        out: dict[Watcher, None] = {}
        path, kind = event.path, event.type

        def take(table: _Table) -> None:
            ws = table.pop(path, None)
            if ws:
                out.update(ws)

        if kind in (EventType.NODE_CREATED, EventType.NODE_DATA_CHANGED):
            take(self.data)
            take(self.exist)
        elif kind == EventType.NODE_DELETED:
            take(self.data)
            take(self.exist)
            take(self.child)
        elif kind == EventType.NODE_CHILDREN_CHANGED:
            take(self.child)
        elif kind == EventType.DATA_WATCH_REMOVED:
            take(self.data)
            take(self.exist)
            return list(out)
        elif kind == EventType.CHILD_WATCH_REMOVED:
            take(self.child)
            return list(out)
        elif kind == EventType.PERSISTENT_WATCH_REMOVED:
            if removed in (None, WatcherType.ANY, WatcherType.PERSISTENT):
                take(self.persistent)
            if removed in (None, WatcherType.ANY, WatcherType.PERSISTENT_RECURSIVE):
                take(self.recursive)
            return list(out)
        else:
            return []
        # Persistent watches stay registered when they fire.
        out.update(self.persistent.get(path, {}))
        if kind != EventType.NODE_CHILDREN_CHANGED:
            for p in _ancestors_and_self(path):
                out.update(self.recursive.get(p, {}))
        return list(out)

    def remove_local(self, path: str, watcher_type: WatcherType) -> list[Watcher]:
        """Drops the watchers a successful removeWatches of this type removed server-side."""
        tables: list[_Table] = []
        if watcher_type in (WatcherType.DATA, WatcherType.ANY):
            tables += [self.data, self.exist]
        if watcher_type in (WatcherType.CHILDREN, WatcherType.ANY):
            tables.append(self.child)
        if watcher_type in (WatcherType.PERSISTENT, WatcherType.ANY):
            tables.append(self.persistent)
        if watcher_type in (WatcherType.PERSISTENT_RECURSIVE, WatcherType.ANY):
            tables.append(self.recursive)
        out: dict[Watcher, None] = {}
        for t in tables:
            out.update(t.pop(path, {}))
        return list(out)

    def set_watches(self, relative_zxid: int) -> spb.SetWatches:
        return spb.SetWatches(
            relative_zxid=relative_zxid,
            data_watches=list(self.data),
            exist_watches=list(self.exist),
            child_watches=list(self.child),
            persistent_watches=list(self.persistent),
            persistent_recursive_watches=list(self.recursive),
        )

    def is_empty(self) -> bool:
        return not (self.data or self.exist or self.child or self.persistent or self.recursive)

    def clear(self) -> None:
        for t in (self.data, self.exist, self.child, self.persistent, self.recursive):
            t.clear()
