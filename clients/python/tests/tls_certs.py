"""Test certificates made with the openssl command in a fresh temporary directory (no key is
committed): a CA, a server certificate for 127.0.0.1/localhost as a PEM key store, a client
certificate signed by the CA and one signed by another CA."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_SERVER_EXT = (
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
)
_CLIENT_EXT = (
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=clientAuth\n"
)


@dataclass(frozen=True)
class Pki:
    dir: Path
    ca_cert: Path
    server_store: Path  # ZooKeeper's PEM key store: the key and the certificate chain
    client_cert: Path
    client_key: Path
    other_cert: Path  # signed by another CA
    other_key: Path

    def zoo_cfg(self, client_auth: str) -> str:
        return (
            "secureClientPort=0\n"
            f"ssl.keyStore.location={self.server_store}\nssl.keyStore.type=PEM\n"
            f"ssl.trustStore.location={self.ca_cert}\nssl.trustStore.type=PEM\n"
            f"ssl.clientAuth={client_auth}\n"
        )


def make_pki() -> Pki:
    d = Path(tempfile.mkdtemp(prefix="paddock-py-pki-"))

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    def ca(name: str, subject: str) -> None:
        run("genrsa", "-out", f"{name}.key", "2048")
        run(
            "req", "-new", "-x509", "-days", "2", "-key", f"{name}.key", "-out", f"{name}.crt",
            "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip

    def leaf(issuer: str, name: str, subject: str, ext: str) -> None:
        run("genrsa", "-out", f"{name}.key", "2048")
        run("req", "-new", "-key", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        (d / f"{name}.ext").write_text(ext)
        run(
            "x509", "-req", "-days", "2", "-in", f"{name}.csr", "-CA", f"{issuer}.crt",
            "-CAkey", f"{issuer}.key", "-CAcreateserial", "-out", f"{name}.crt",
            "-extfile", f"{name}.ext",
        )  # fmt: skip

    ca("ca", "/CN=Paddock Python Test CA/O=Paddock")
    ca("other-ca", "/CN=Other CA/O=Elsewhere")
    leaf("ca", "server", "/O=Paddock/CN=paddock-server", _SERVER_EXT)
    leaf("ca", "client", "/O=Paddock/CN=py-client", _CLIENT_EXT)
    leaf("other-ca", "other", "/O=Elsewhere/CN=intruder", _CLIENT_EXT)
    store = b"".join((d / f).read_bytes() for f in ("server.key", "server.crt", "ca.crt"))
    (d / "server.pem").write_bytes(store)
    return Pki(
        d, d / "ca.crt", d / "server.pem", d / "client.crt", d / "client.key",
        d / "other.crt", d / "other.key",
    )  # fmt: skip
