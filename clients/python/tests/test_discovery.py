"""Service discovery (Curator x-discovery's layout) and group membership with several sessions."""

from __future__ import annotations

import json
import threading
import time

import pytest
from conftest import WAIT
from server_process import ServerProcess

import paddock
from paddock.discovery import ServiceDiscovery, ServiceInstance
from paddock.group_member import GroupMember


def test_instances_are_ephemeral_x_discovery_json(server: ServerProcess, path: str) -> None:
    a = paddock.Client(server.address)
    with paddock.Client(server.address) as b:
        da, db = ServiceDiscovery(a, f"{path}/services"), ServiceDiscovery(b, f"{path}/services")
        for i in ("i1", "i2"):
            da.register(ServiceInstance("api", i, address="10.0.0.1", port=8080))
        with pytest.raises(paddock.NodeExistsError, match="instance i1 of api is already"):
            da.register(ServiceInstance("api", "i1"))
        data, stat = b.get_data(f"{path}/services/api/i1")
        assert stat.ephemeral_owner == a.session_id
        fields = json.loads(data)
        assert isinstance(fields.pop("registrationTimeUTC"), int)
        assert fields == {
            "name": "api",
            "id": "i1",
            "address": "10.0.0.1",
            "port": 8080,
            "sslPort": None,
            "payload": None,
            "serviceType": "DYNAMIC",
            "uriSpec": None,
            "enabled": True,
        }
        assert db.query_for_names() == ["api"]
        assert [i.id for i in db.query_for_instances("api")] == ["i1", "i2"]
        provider = db.provider("api").start()
        assert {provider.get_instance().id, provider.get_instance().id} == {"i1", "i2"}
        a.close()  # the instances go with the session
        assert db.query_for_instances("api") == []
        deadline = time.monotonic() + WAIT
        while provider.instances:  # the cache follows the children watch
            assert time.monotonic() < deadline, "the provider's cache kept the instances"
            time.sleep(0.01)
        with pytest.raises(paddock.NoNodeError, match="no instance of api"):
            provider.get_instance()
        provider.close()


def test_group_members_see_joins_and_leaves(server: ServerProcess, path: str) -> None:
    with paddock.Client(server.address) as a, paddock.Client(server.address) as b:
        ma = GroupMember(a, f"{path}/group", "a", b"pa")
        mb = GroupMember(b, f"{path}/group", "b", b"pb")
        ma.join()
        assert ma.fencing_token > 0
        joined = threading.Event()
        assert ma.members(lambda _: joined.set()) == {"a": b"pa"}
        mb.join()
        assert joined.wait(WAIT)
        assert ma.members() == {"a": b"pa", "b": b"pb"}
        with pytest.raises(paddock.NodeExistsError, match="member a already in"):
            GroupMember(b, f"{path}/group", "a").join()
        mb.leave()
        assert ma.members() == {"a": b"pa"}
