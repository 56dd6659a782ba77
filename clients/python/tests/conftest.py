"""Fixtures: one real Paddock server for the session (fast-expiry settings, TTL nodes on), a
connected client per test and a fresh znode per test."""

from __future__ import annotations

import queue
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from server_process import ServerProcess, ensure_node_modules

import paddock

# tickTime=200 and minSessionTimeout=400 make expiry tests fast; maxSessionTimeout is raised so
# the ordinary clients (timeout 10 s) are not clamped to 20 ticks on a busy 2-core machine.
FAST_SETTINGS = {
    "tickTime": "200",
    "minSessionTimeout": "400",
    "maxSessionTimeout": "20000",
    "extendedTypesEnabled": "true",
}
WAIT = 10.0  # deadline for anything a test waits for


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    ensure_node_modules()
    s = ServerProcess("shared", FAST_SETTINGS).start()
    yield s
    s.cleanup()


@pytest.fixture
def client(server: ServerProcess) -> Iterator[paddock.Client]:
    with paddock.Client(server.address, timeout=10) as c:
        yield c


@pytest.fixture
def path(client: paddock.Client, request: pytest.FixtureRequest) -> str:
    """A fresh persistent znode named after the test."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", request.node.name)[:60]
    p = f"/py-{name}-{uuid.uuid4().hex[:8]}"
    client.create(p)
    return p


@pytest.fixture
async def aclient(server: ServerProcess) -> AsyncIterator[paddock.aio.Client]:
    async with paddock.aio.Client(server.address, timeout=10) as c:
        yield c


class Recorder:
    """A thread-safe callback that records what it is called with."""

    def __init__(self) -> None:
        self.q: queue.Queue[Any] = queue.Queue()
        self.seen: list[Any] = []

    def __call__(self, item: Any) -> None:
        self.seen.append(item)
        self.q.put(item)

    def get(self, timeout: float = WAIT) -> Any:
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"nothing recorded within {timeout}s (seen {self.seen})") from None

    def wait_for(self, predicate: Any, timeout: float = WAIT) -> Any:
        """The first recorded item (from now on) that satisfies predicate."""
        while True:
            item = self.get(timeout)
            if predicate(item):
                return item
