"""Service discovery in Curator x-discovery's layout, shared by every Paddock client.

An instance is ``<base>/<service>/<id>`` (ephemeral for ``DYNAMIC`` instances) holding
ServiceInstance JSON with the fields ``name``, ``id``, ``address``, ``port``, ``sslPort``,
``payload``, ``registrationTimeUTC``, ``serviceType``, ``uriSpec`` and ``enabled`` (unset ones
are ``null``), so Curator's ServiceDiscovery and the other clients find what Python registers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
import uuid
from typing import Any

from . import errors
from .client import Client
from .service_provider import ServiceProvider, Strategy
from .types import CreateMode


@dataclasses.dataclass
class ServiceInstance:
    name: str
    id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    address: str | None = None
    port: int | None = None
    sslPort: int | None = None  # Curator's JSON field names, as written
    payload: Any = None
    registrationTimeUTC: int = dataclasses.field(default_factory=lambda: int(time.time() * 1000))
    serviceType: str = "DYNAMIC"
    uriSpec: Any = None
    enabled: bool = True

    def to_json(self) -> bytes:
        return json.dumps(dataclasses.asdict(self), separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes, path: str) -> ServiceInstance:
        try:
            fields = json.loads(data)
            known = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: v for k, v in fields.items() if k in known})
        except (ValueError, TypeError) as e:
            raise ValueError(f"service instance {path} is not x-discovery JSON: {e}") from e


class ServiceDiscovery:
    """Registers and finds instances under ``base`` (for example ``/services``)."""

    def __init__(self, client: Client, base: str) -> None:
        self.client = client
        self.base = base.rstrip("/") or "/"

    def path_of(self, name: str, instance_id: str | None = None) -> str:
        service = f"{self.base}/{name}" if self.base != "/" else f"/{name}"
        return service if instance_id is None else f"{service}/{instance_id}"

    def register(self, instance: ServiceInstance) -> ServiceInstance:
        if not instance.name or not instance.id or "/" in instance.name + instance.id:
            raise ValueError(
                f"service instance needs a name and an id without '/': "
                f"name {instance.name!r}, id {instance.id!r}"
            )
        mode = CreateMode.EPHEMERAL if instance.serviceType == "DYNAMIC" else CreateMode.PERSISTENT
        self.client.ensure_path(self.path_of(instance.name))
        path = self.path_of(instance.name, instance.id)
        try:
            self.client.create(path, instance.to_json(), mode=mode)
        except errors.NodeExistsError as e:
            raise errors.NodeExistsError(
                f"instance {instance.id} of {instance.name} is already registered", path
            ) from e
        return instance

    def unregister(self, name: str, instance_id: str) -> None:
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(self.path_of(name, instance_id))

    def query_for_names(self) -> list[str]:
        try:
            return sorted(self.client.get_children(self.base))
        except errors.NoNodeError:
            return []

    def query_for_instances(self, name: str) -> list[ServiceInstance]:
        """Every instance of ``name``, ordered by id (those leaving meanwhile are skipped)."""
        try:
            ids = sorted(self.client.get_children(self.path_of(name)))
        except errors.NoNodeError:
            return []
        out = []
        for instance_id in ids:
            path = self.path_of(name, instance_id)
            try:
                data, _ = self.client.get_data(path)
            except errors.NoNodeError:
                continue
            out.append(ServiceInstance.from_json(data, path))
        return out

    def provider(self, name: str, strategy: Strategy = "round_robin") -> ServiceProvider:
        """A cached provider of ``name``'s instances; call ``start()`` before ``get_instance()``."""
        return ServiceProvider(self, name, strategy)


__all__ = ["ServiceDiscovery", "ServiceInstance", "ServiceProvider", "Strategy"]
