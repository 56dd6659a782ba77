"""The Dubbo registry view against a real server, in the TypeScript recipe's layout."""

from __future__ import annotations

import threading

from conftest import WAIT
from server_process import ServerProcess

import paddock
from paddock.dubbo import DubboRegistry, java_url_decode, java_url_encode

# java.net.URLEncoder.encode(URL, "UTF-8") on Java 17, as pinned in
# test/unit/client/recipe-names.test.ts.
URL = "dubbo://10.0.0.5:20880/org.example.Greeter?application=node&methods=hi,bye é~!'()* x"
JAVA = (
    "dubbo%3A%2F%2F10.0.0.5%3A20880%2Forg.example.Greeter%3Fapplication%3Dnode%26methods%3Dhi"
    "%2Cbye+%C3%A9%7E%21%27%28%29*+x"
)


def test_names_are_encoded_as_java_url_encoder() -> None:
    assert java_url_encode(URL) == JAVA
    assert java_url_decode(JAVA) == URL
    assert java_url_encode("a b~!'()*") == "a+b%7E%21%27%28%29*"


def test_providers_are_ephemeral_and_consumers_see_them(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    root = f"{path}/dubbo"
    url = "dubbo://10.0.0.5:20880/org.example.Greeter?application=py&methods=hi,bye&side=provider"
    provider = paddock.Client(server.address, timeout=10)
    node = DubboRegistry(provider, root).register(url)
    assert node == f"{root}/org.example.Greeter/providers/{java_url_encode(url)}"
    stat = client.exists(node)
    assert stat is not None
    assert stat.ephemeral_owner == provider.session_id
    registry = DubboRegistry(client, root)
    changed = threading.Event()
    assert registry.lookup("org.example.Greeter", "providers", lambda _: changed.set()) == [url]
    registry.register("consumer://10.0.0.6/org.example.Greeter?category=consumers&side=consumer")
    assert len(registry.lookup("org.example.Greeter", "consumers")) == 1
    static = "override://0.0.0.0/org.example.Greeter?category=configurators&dynamic=false"
    static_path = registry.register(static)
    assert static_path.startswith(f"{root}/org.example.Greeter/configurators/")
    static_stat = client.exists(static_path)
    assert static_stat is not None
    assert static_stat.ephemeral_owner == 0
    provider.close()  # the provider's node goes with its session
    assert changed.wait(WAIT)
    assert registry.lookup("org.example.Greeter") == []
    registry.unregister(static)
    assert registry.lookup("org.example.Greeter", "configurators") == []
