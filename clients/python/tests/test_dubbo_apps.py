"""Dubbo 3's application-level layout against a real server, as the TypeScript recipe writes it."""

from __future__ import annotations

import json
import threading

import pytest
from server_process import ServerProcess

import paddock
from paddock.dubbo_apps import DubboApplications, DubboInstance

IFACE = "org.example.Greeter"


def test_instances_are_ephemeral_and_the_mapping_keeps_every_application(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    providers = [paddock.Client(server.address, timeout=10) for _ in range(4)]
    views = [DubboApplications(p, f"{path}/services", f"{path}/mapping") for p in providers]
    threads = [
        threading.Thread(
            target=v.register, args=(DubboInstance(f"app-{i}", "10.0.0.5", 20880 + i), (IFACE,))
        )
        for i, v in enumerate(views)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    view = DubboApplications(client, f"{path}/services", f"{path}/mapping")
    assert sorted(view.applications_of(IFACE)) == ["app-0", "app-1", "app-2", "app-3"]
    [found] = view.instances("app-2")
    assert (found.id, found.port) == ("10.0.0.5:20882", 20882)
    # The revision is the MD5 of "app|port|protocol|interfaces" in every client (this one
    # computed with Node's crypto for this registration).
    revision = "419c072ffe58b54ae3e544ec11aceca2"
    assert found.metadata == {
        "dubbo.endpoints": '[{"port":20882,"protocol":"dubbo"}]',
        "dubbo.metadata.revision": revision,
        "dubbo.metadata.storage-type": "remote",
    }
    report = json.loads(client.get_data(f"{path}/metadata/app-2/{revision}")[0])
    assert report["services"][f"{IFACE}:dubbo"]["port"] == 20882
    data, stat = client.get_data(f"{path}/services/app-2/10.0.0.5:20882")
    assert stat.ephemeral_owner == providers[2].session_id
    assert (
        json.loads(data)["payload"]["@class"]
        == "org.apache.dubbo.registry.zookeeper.ZookeeperInstance"
    )
    views[2].map(IFACE, "app-2")  # already mapped: unchanged
    assert client.get_data(f"{path}/mapping/{IFACE}")[0].decode().count("app-2") == 1
    providers[2].close()  # its instance goes with its session
    assert sorted(i.app for i in view.providers_of(IFACE)) == ["app-0", "app-1", "app-3"]
    with pytest.raises(ValueError, match="'a/b'"):
        view.instances("a/b")
    for p in providers[:2] + providers[3:]:
        p.close()
