"""The cached ServiceProvider (paddock.service_provider) against a real server: each strategy,
joins and leaves through the children watch, and changes made while its connection was cut."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from conftest import WAIT
from server_process import ServerProcess
from tcp_proxy import TcpProxy

import paddock
from paddock.discovery import ServiceDiscovery, ServiceInstance


def poll(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_strategies_over_a_cache_that_follows_the_service(
    client: paddock.Client, server: ServerProcess, path: str
) -> None:
    with paddock.Client(server.address) as reader:
        reg, found = ServiceDiscovery(client, path), ServiceDiscovery(reader, path)
        # Started before the service exists: the providers wait for it to appear.
        rr, rnd, sticky = (
            found.provider("api", s).start() for s in ("round_robin", "random", "sticky")
        )
        for i in ("i1", "i2", "i3"):
            reg.register(ServiceInstance("api", i, address="10.0.0.1", port=8080))
        for p in (rr, rnd, sticky):
            poll("three cached instances", lambda p=p: len(p.instances) == 3)
        assert [rr.get_instance().id for _ in range(6)] == ["i1", "i2", "i3", "i1", "i2", "i3"]
        assert {rnd.get_instance().id for _ in range(30)} <= {"i1", "i2", "i3"}
        first = sticky.get_instance().id
        assert {sticky.get_instance().id for _ in range(5)} == {first}
        reg.unregister("api", first)
        poll("the sticky instance to leave the cache", lambda: len(sticky.instances) == 2)
        moved = sticky.get_instance().id
        assert moved != first
        assert {sticky.get_instance().id for _ in range(5)} == {moved}
        disabled = ServiceInstance("api", "off", enabled=False)
        reg.register(disabled)
        reg.register(ServiceInstance("api", "i4"))
        poll("i4 in the cache", lambda: "i4" in {i.id for i in rr.instances})
        assert "off" not in {i.id for i in rr.instances}
        for p in (rr, rnd, sticky):
            p.close()
        with pytest.raises(ValueError, match="strategy 'fastest'"):
            found.provider("api", "fastest")  # type: ignore[arg-type]


def test_changes_while_cut_off_reach_the_cache_after_the_reconnect(
    client: paddock.Client, server: ServerProcess, path: str
) -> None:
    proxy = TcpProxy("127.0.0.1", server.port).start()
    cut = paddock.Client(proxy.address, timeout=10, backoff=(0.02, 0.2))
    try:
        reg = ServiceDiscovery(client, path)
        reg.register(ServiceInstance("api", "old"))
        provider = ServiceDiscovery(cut, path).provider("api").start()
        assert [i.id for i in provider.instances] == ["old"]
        proxy.pause()
        reg.unregister("api", "old")
        reg.register(ServiceInstance("api", "new"))
        proxy.resume()
        poll("the new instance", lambda: [i.id for i in provider.instances] == ["new"])
        provider.close()
    finally:
        cut.close()
        proxy.close()
