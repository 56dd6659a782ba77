"""The tree cache: a subtree mirrored from one persistent recursive watch, re-read on reconnect."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from conftest import WAIT
from server_process import ServerProcess
from tcp_proxy import TcpProxy

import paddock
from paddock import SessionState
from paddock.tree_cache import TreeCache


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[TcpProxy]:
    p = TcpProxy("127.0.0.1", server.port).start()
    yield p
    p.close()


def wait_until(predicate: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.01)  # polling a condition, bounded by the deadline


def test_cache_follows_creates_updates_and_deletes(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    client.create(f"{path}/a", b"1")
    seen: list[tuple[str, str]] = []
    with paddock.Client(server.address, timeout=10) as c:
        cache = TreeCache(c, path, lambda kind, p, _: seen.append((kind, p))).start()
        try:
            assert cache.wait_loaded(WAIT)
            assert cache.current() == {path: b"", f"{path}/a": b"1"}
            client.create(f"{path}/a/b", b"2")
            client.set_data(f"{path}/a", b"3")
            wait_until(lambda: cache.get(f"{path}/a/b") == b"2" and cache.get(f"{path}/a") == b"3")
            client.delete(f"{path}/a/b")
            client.delete(f"{path}/a")
            wait_until(lambda: cache.current() == {path: b""})
            assert ("removed", f"{path}/a/b") in seen
            assert ("updated", f"{path}/a") in seen
        finally:
            cache.close()


def test_cache_rereads_what_it_missed_while_disconnected(
    client: paddock.Client, path: str, proxy: TcpProxy
) -> None:
    client.create(f"{path}/x", b"0")
    client.create(f"{path}/y", b"0")
    with paddock.Client(proxy.address, timeout=10, backoff=(0.02, 0.1)) as c:
        states: list[SessionState] = []
        changed = threading.Condition()

        def on_state(state: SessionState) -> None:
            with changed:
                states.append(state)
                changed.notify_all()

        c.add_listener(on_state)
        cache = TreeCache(c, path).start()
        try:
            assert cache.wait_loaded(WAIT)
            proxy.pause()
            with changed:
                assert changed.wait_for(lambda: SessionState.DISCONNECTED in states, WAIT)
            client.set_data(f"{path}/x", b"1")
            client.delete(f"{path}/y")
            client.create(f"{path}/z", b"new")
            proxy.resume()
            wait_until(
                lambda: cache.current() == {path: b"", f"{path}/x": b"1", f"{path}/z": b"new"}
            )
        finally:
            cache.close()
