"""Dubbo's ZooKeeper registry layout (interface level), as the TypeScript ``DubboRegistry``: a URL
is registered as ``<root>/<encoded interface>/<category>/<encoded URL>`` with category providers,
consumers, configurators or routers; providers and consumers are ephemeral unless the URL says
``dynamic=false``. Names are encoded as Java's ``URLEncoder.encode(s, "UTF-8")`` (letters,
digits and ``.-*_`` stay, space becomes ``+``), which Dubbo uses, so Dubbo finds what is
registered here."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, unquote_plus, urlsplit

from . import errors
from .client import Client, Watcher
from .types import CreateMode

CATEGORIES = ("providers", "consumers", "configurators", "routers")
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-*_")


def java_url_encode(text: str) -> str:
    out = []
    for byte in text.encode():
        if byte in _SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def java_url_decode(text: str) -> str:
    return unquote_plus(text)


def dubbo_place(url: str) -> tuple[str, str]:
    """The interface and category of a Dubbo URL, as Dubbo's ZookeeperRegistry derives them."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    service = query.get("interface", [parts.path.lstrip("/")])[0]
    if not service:
        raise ValueError(f"Dubbo URL {url} names no interface")
    given = query.get("category", [""])[0]
    if given in CATEGORIES:
        return service, given
    return service, "consumers" if parts.scheme == "consumer" else "providers"


class DubboRegistry:
    def __init__(self, client: Client, root: str = "/dubbo") -> None:
        self.client = client
        self.root = root.rstrip("/")

    def path_of(self, url: str) -> str:
        service, category = dubbo_place(url)
        return f"{self.root}/{java_url_encode(service)}/{category}/{java_url_encode(url)}"

    def register(self, url: str) -> str:
        """Registers a URL: ephemeral unless it says ``dynamic=false`` (Dubbo's rule)."""
        path = self.path_of(url)
        dynamic = parse_qs(urlsplit(url).query).get("dynamic", ["true"])[0] != "false"
        self.client.ensure_path(path.rsplit("/", 1)[0])
        mode = CreateMode.EPHEMERAL if dynamic else CreateMode.PERSISTENT
        with contextlib.suppress(errors.NodeExistsError):
            self.client.create(path, mode=mode)
        return path

    def unregister(self, url: str) -> None:
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(self.path_of(url))

    def lookup(
        self, service: str, category: str = "providers", watch: Watcher | None = None
    ) -> list[str]:
        """The decoded URLs of one interface's category; ``watch`` fires on the next change."""
        if category not in CATEGORIES:
            raise ValueError(f"Dubbo category {category!r} is not one of {CATEGORIES}")
        path = f"{self.root}/{java_url_encode(service)}/{category}"
        try:
            return sorted(java_url_decode(c) for c in self.client.get_children(path, watch))
        except errors.NoNodeError:
            if watch is not None and self.client.exists(path, watch) is not None:
                return self.lookup(service, category, watch)
            return []


__all__ = ["CATEGORIES", "DubboRegistry", "dubbo_place", "java_url_decode", "java_url_encode"]
