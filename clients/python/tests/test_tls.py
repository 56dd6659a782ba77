"""TLS and mutual TLS to a secureClientPort: two servers of this module's own, started with a
zoo.cfg holding the ssl.* keys and certificates made by openssl for this run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from server_process import ServerProcess, ensure_node_modules
from tls_certs import Pki, make_pki

import paddock


@pytest.fixture(scope="module")
def pki() -> Iterator[Pki]:
    p = make_pki()
    yield p
    shutil.rmtree(p.dir, ignore_errors=True)


def _server(pki: Pki, client_auth: str) -> Iterator[ServerProcess]:
    ensure_node_modules()
    s = ServerProcess(f"tls-{client_auth}", zoo_cfg=pki.zoo_cfg(client_auth)).start()
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def want_server(pki: Pki) -> Iterator[ServerProcess]:
    yield from _server(pki, "want")


@pytest.fixture(scope="module")
def need_server(pki: Pki) -> Iterator[ServerProcess]:
    yield from _server(pki, "need")


def _refused(address: str, tls: paddock.TLS | None) -> None:
    with pytest.raises(paddock.PaddockError):
        paddock.Client(address, tls=tls, connect_timeout=1, start_timeout=3).close()


def test_tls_with_the_ca(want_server: ServerProcess, pki: Pki) -> None:
    tls = paddock.TLS.from_files(ca=pki.ca_cert)
    with paddock.Client(want_server.secure_address, tls=tls, timeout=10) as c:
        c.create("/py-tls", b"secret")
        data, _ = c.get_data("/py-tls")
        assert data == b"secret"


async def test_tls_aio(want_server: ServerProcess, pki: Pki) -> None:
    tls = paddock.TLS(ca=pki.ca_cert.read_bytes(), server_name="localhost")
    async with paddock.aio.Client(want_server.secure_address, tls=tls, timeout=10) as c:
        await c.create("/py-tls-aio", b"async")
        data, _ = await c.get_data("/py-tls-aio")
        assert data == b"async"


def test_plaintext_to_the_secure_port_fails(want_server: ServerProcess) -> None:
    _refused(want_server.secure_address, None)


def test_need_refuses_without_a_client_certificate(need_server: ServerProcess, pki: Pki) -> None:
    _refused(need_server.secure_address, paddock.TLS.from_files(ca=pki.ca_cert))
    other = paddock.TLS.from_files(ca=pki.ca_cert, cert=pki.other_cert, key=pki.other_key)
    _refused(need_server.secure_address, other)


def test_need_accepts_a_client_certificate(need_server: ServerProcess, pki: Pki) -> None:
    tls = paddock.TLS.from_files(ca=pki.ca_cert, cert=pki.client_cert, key=pki.client_key)
    with paddock.Client(need_server.secure_address, tls=tls, timeout=10) as c:
        c.create("/py-mtls", b"mutual")
        data, _ = c.get_data("/py-mtls")
        assert data == b"mutual"
        ids = [(i.auth_scheme, i.user) for i in c.who_am_i()]
        assert ("x509", "CN=py-client,O=Paddock") in ids


def test_cert_without_key_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="both cert and key"):
        paddock.TLS(cert=b"x")
