"""A cached provider of one service's instances (Curator's ServiceProvider over a ServiceCache):
the enabled instances are read at ``start()``, re-read on every change of the service's children
and after every reconnect, and ``get_instance()`` picks one from memory by a strategy:
``"round_robin"``, ``"random"`` or ``"sticky"`` (the same instance until it leaves, then the next
by round robin). The reads run on the provider's own thread, never on the client's event thread."""

from __future__ import annotations

import contextlib
import queue
import random
import threading
from typing import TYPE_CHECKING, Literal

from . import errors
from .types import SessionState, WatchedEvent

if TYPE_CHECKING:
    from .discovery import ServiceDiscovery, ServiceInstance

Strategy = Literal["round_robin", "random", "sticky"]
STRATEGIES: tuple[Strategy, ...] = ("round_robin", "random", "sticky")

_REFRESH = object()
_STOP = object()
_FINAL = (SessionState.EXPIRED, SessionState.CLOSED, SessionState.AUTH_FAILED)


class ServiceProvider:
    def __init__(
        self, discovery: ServiceDiscovery, name: str, strategy: Strategy = "round_robin"
    ) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"provider strategy {strategy!r} is not one of {STRATEGIES}")
        self.discovery = discovery
        self.name = name
        self.strategy = strategy
        self.failure: BaseException | None = None  # the last failed re-read, if any
        self._instances: list[ServiceInstance] = []
        self._next = 0
        self._stuck: str | None = None
        self._mutex = threading.Lock()
        self._work: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._main, name=f"provider-{name}", daemon=True)
        self._disconnected = False

    def start(self) -> ServiceProvider:
        """Reads the instances (errors raised here) and follows them until ``close()``."""
        self._refresh()
        self.discovery.client.add_listener(self._on_state)
        self._thread.start()
        return self

    def close(self) -> None:
        self.discovery.client.remove_listener(self._on_state)
        self._work.put(_STOP)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    @property
    def instances(self) -> list[ServiceInstance]:
        """The cached enabled instances, ordered by id."""
        with self._mutex:
            return list(self._instances)

    def get_instance(self) -> ServiceInstance:
        """One cached instance by the strategy; NoNodeError naming the service when none."""
        with self._mutex:
            instances = self._instances
            if not instances:
                raise errors.NoNodeError(
                    f"no instance of {self.name} under {self.discovery.base}",
                    self.discovery.path_of(self.name),
                )
            if self.strategy == "random":
                return random.choice(instances)
            if self.strategy == "sticky":
                for instance in instances:
                    if instance.id == self._stuck:
                        return instance
            chosen = instances[self._next % len(instances)]
            self._next += 1
            self._stuck = chosen.id
            return chosen

    def _on_state(self, state: SessionState) -> None:
        if state == SessionState.DISCONNECTED:
            self._disconnected = True
        elif state == SessionState.CONNECTED and self._disconnected:
            self._disconnected = False
            self._work.put(_REFRESH)
        elif state in _FINAL:
            self._work.put(_STOP)

    def _on_change(self, _: WatchedEvent) -> None:
        self._work.put(_REFRESH)

    def _main(self) -> None:
        while (item := self._work.get()) is not _STOP:
            del item
            try:
                self._refresh()
            except errors.PaddockError as e:  # kept for the user; a reconnect reads again
                self.failure = e

    def _refresh(self) -> None:
        client, path = self.discovery.client, self.discovery.path_of(self.name)
        while True:
            try:
                ids = sorted(client.get_children(path, self._on_change))
                break
            except errors.NoNodeError:
                # No service yet: watch for its node to appear.
                if client.exists(path, self._on_change) is None:
                    self._replace([])
                    return
        found = []
        for instance_id in ids:
            with contextlib.suppress(errors.NoNodeError):  # left meanwhile: the watch fires
                data, _ = client.get_data(f"{path}/{instance_id}")
                found.append(self._parse(data, f"{path}/{instance_id}"))
        self._replace([i for i in found if i.enabled])

    @staticmethod
    def _parse(data: bytes, path: str) -> ServiceInstance:
        from .discovery import ServiceInstance

        return ServiceInstance.from_json(data, path)

    def _replace(self, instances: list[ServiceInstance]) -> None:
        with self._mutex:
            self._instances = instances
        self.failure = None


__all__ = ["STRATEGIES", "ServiceProvider", "Strategy"]
