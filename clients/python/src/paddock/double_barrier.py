"""Curator's DistributedDoubleBarrier, in its node layout (docs/RECIPES.md): members enter as
``<path>/<uuid>`` (ephemeral); the member that sees ``count`` members creates ``<path>/ready``,
releasing everyone waiting on it. Leaving follows Curator's order: the lowest member waits for
the highest, the others delete themselves and wait for the lowest, so each waits on one node."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid

from . import errors
from .client import Client
from .types import CreateMode

READY = "ready"


class DoubleBarrier:
    """``DoubleBarrier(client, "/barriers/b", 3)``: ``enter(timeout)`` returns True once three
    members entered, ``leave(timeout)`` once all of them left (False when the timeout passes)."""

    def __init__(self, client: Client, path: str, count: int) -> None:
        if count < 1:
            raise ValueError(f"member count for {path} must be at least 1, got {count}")
        self.client = client
        self.path = path.rstrip("/")
        self.count = count
        self.ours = str(uuid.uuid4())
        self._ready = f"{self.path}/{READY}"

    def enter(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        self.client.ensure_path(self.path)
        ready = threading.Event()
        up = self.client.exists(self._ready, lambda _: ready.set()) is not None
        self.client.create(f"{self.path}/{self.ours}", mode=CreateMode.EPHEMERAL)
        if up:
            return True
        members = [c for c in self.client.get_children(self.path) if c != READY]
        if len(members) >= self.count:
            with contextlib.suppress(errors.NodeExistsError):
                self.client.create(self._ready)
            return True
        return ready.wait(_remaining(deadline))

    def leave(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        ours_exists = True
        while True:
            try:
                members = sorted(c for c in self.client.get_children(self.path) if c != READY)
            except errors.NoNodeError:
                members = []
            if not members:
                break
            index = members.index(self.ours) if self.ours in members else -1
            if members == [self.ours]:
                self._delete_ours()
                break
            if index == 0:
                watched = members[-1]  # the lowest leaves last
            else:
                watched = members[0]
                if ours_exists:
                    self._delete_ours()
                    ours_exists = False
            changed = threading.Event()
            if self.client.exists(f"{self.path}/{watched}", lambda _, e=changed: e.set()) is None:
                continue
            if not changed.wait(_remaining(deadline)):
                return False
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(self._ready)
        return True

    def _delete_ours(self) -> None:
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(f"{self.path}/{self.ours}")


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


__all__ = ["READY", "DoubleBarrier"]
