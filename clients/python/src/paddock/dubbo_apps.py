"""Dubbo 3's application-level discovery layout, as the TypeScript ``DubboApplications``: an
instance is ``<services>/<app>/<id>`` (ephemeral) holding Curator x-discovery ServiceInstance
JSON whose payload is Dubbo's ZookeeperInstance (id, name, metadata), and
``<mapping>/<interface>`` (persistent, the interface name as is) holds the comma-separated
applications that provide the interface, as a Dubbo 3.3 provider writes them. Registering with
interfaces also writes the application's MetadataInfo to Dubbo's metadata report
(``/dubbo/metadata/<app>/<revision>``, the instance saying ``dubbo.metadata.storage-type=remote``),
which a Dubbo 3 consumer reads to build the URLs it calls."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, field

from . import errors
from .client import Client
from .types import CreateMode

INSTANCE_CLASS = "org.apache.dubbo.registry.zookeeper.ZookeeperInstance"


@dataclass
class DubboInstance:
    app: str
    address: str
    port: int
    id: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    registration_time_utc: int = 0


def _segment(kind: str, name: str) -> str:
    if not name or "/" in name:
        raise ValueError(f"Dubbo {kind} name {name!r} must be non-empty and hold no '/'")
    return name


def _split_apps(data: bytes) -> list[str]:
    return [a.strip() for a in data.decode().split(",") if a.strip()]


class DubboApplications:
    def __init__(
        self, client: Client, services: str = "/services", mapping: str = "/dubbo/mapping"
    ) -> None:
        self.client = client
        self.services = services.rstrip("/")
        self.mapping = mapping.rstrip("/")
        # The metadata report sits beside the mapping ("/dubbo/mapping" -> "/dubbo/metadata").
        self.metadata = self.mapping.rsplit("/", 1)[0] + "/metadata"

    def instance_path(self, app: str, id: str | None = None) -> str:
        base = f"{self.services}/{_segment('application', app)}"
        return base if id is None else f"{base}/{_segment('instance', id)}"

    def mapping_path(self, interface: str) -> str:
        return f"{self.mapping}/{_segment('interface', interface)}"

    def register(self, instance: DubboInstance, interfaces: tuple[str, ...] = ()) -> DubboInstance:
        """Creates the instance's ephemeral node (id ``<address>:<port>`` when empty; metadata
        gains ``dubbo.endpoints``) and maps each interface to its application."""
        inst_id = instance.id or f"{instance.address}:{instance.port}"
        endpoints = json.dumps(
            [{"port": instance.port, "protocol": "dubbo"}], separators=(",", ":")
        )
        metadata = {"dubbo.endpoints": endpoints}
        if interfaces:
            revision = self._publish_metadata(instance.app, instance.port, interfaces)
            metadata["dubbo.metadata.revision"] = revision
            metadata["dubbo.metadata.storage-type"] = "remote"
        metadata.update(instance.metadata)
        now = int(time.time() * 1000)
        data = {
            "name": instance.app,
            "id": inst_id,
            "address": instance.address,
            "port": instance.port,
            "sslPort": None,
            "payload": {
                "@class": INSTANCE_CLASS,
                "id": inst_id,
                "name": instance.app,
                "metadata": metadata,
            },
            "registrationTimeUTC": now,
            "serviceType": "DYNAMIC",
            "uriSpec": None,
        }
        path = self.instance_path(instance.app, inst_id)
        self.client.ensure_path(self.instance_path(instance.app))
        self.client.create(path, json.dumps(data).encode(), mode=CreateMode.EPHEMERAL)
        for interface in interfaces:
            self.map(interface, instance.app)
        return DubboInstance(instance.app, instance.address, instance.port, inst_id, metadata, now)

    def _publish_metadata(self, app: str, port: int, interfaces: tuple[str, ...]) -> str:
        """Writes the application's MetadataInfo under its revision: the MD5 of
        ``app|port|protocol|sorted interfaces``, as every Paddock client makes it (Dubbo's
        consumers look the revision up and do not recompute it)."""
        ordered = sorted(interfaces)
        services = {
            f"{_segment('interface', i)}:dubbo": {
                "name": i,
                "params": {
                    "side": "provider",
                    "interface": i,
                    "application": app,
                    "dubbo": "2.0.2",
                },
                "path": i,
                "port": port,
                "protocol": "dubbo",
            }
            for i in ordered
        }
        revision = hashlib.md5(f"{app}|{port}|dubbo|{','.join(ordered)}".encode()).hexdigest()
        base = f"{self.metadata}/{_segment('application', app)}"
        self.client.ensure_path(base)
        info = {"app": app, "revision": revision, "services": services}
        with contextlib.suppress(errors.NodeExistsError):  # the same content, the same revision
            self.client.create(f"{base}/{revision}", json.dumps(info).encode())
        return revision

    def unregister(self, app: str, id: str) -> None:
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(self.instance_path(app, id))

    def map(self, interface: str, app: str) -> None:
        """Adds ``app`` to the mapping: compare-and-set on the version, as Dubbo does."""
        path = self.mapping_path(interface)
        _segment("application", app)
        while True:
            try:
                data, stat = self.client.get_data(path)
            except errors.NoNodeError:
                self.client.ensure_path(self.mapping)
                with contextlib.suppress(errors.NodeExistsError):
                    self.client.create(path, app.encode())
                    return
                continue
            apps = _split_apps(data)
            if app in apps:
                return
            with contextlib.suppress(errors.BadVersionError):  # another writer came first
                self.client.set_data(path, ",".join([*apps, app]).encode(), stat.version)
                return

    def applications_of(self, interface: str) -> list[str]:
        try:
            return _split_apps(self.client.get_data(self.mapping_path(interface))[0])
        except errors.NoNodeError:
            return []

    def instances(self, app: str) -> list[DubboInstance]:
        """Every instance of an application, sorted by id."""
        base = self.instance_path(app)
        try:
            ids = sorted(self.client.get_children(base))
        except errors.NoNodeError:
            return []
        out = []
        for inst_id in ids:
            try:
                raw = self.client.get_data(f"{base}/{inst_id}")[0]
            except errors.NoNodeError:
                continue  # gone since the listing
            try:
                j = json.loads(raw)
            except ValueError as error:
                raise ValueError(f"Dubbo instance {base}/{inst_id} is not JSON") from error
            payload = j.get("payload") or {}
            out.append(
                DubboInstance(
                    j["name"],
                    j["address"],
                    j["port"],
                    j.get("id") or inst_id,
                    dict(payload.get("metadata") or {}),
                    j.get("registrationTimeUTC", 0),
                )
            )
        return out

    def providers_of(self, interface: str) -> list[DubboInstance]:
        return [i for app in self.applications_of(interface) for i in self.instances(app)]


__all__ = ["DubboApplications", "DubboInstance"]
