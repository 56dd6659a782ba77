"""TLS and mutual TLS to a server's secureClientPort."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc


def _read(path: str | Path | None) -> bytes | None:
    return None if path is None else Path(path).read_bytes()


@dataclass(frozen=True)
class TLS:
    """How to reach a ``secureClientPort`` (docs/SECURITY.md).

    ``ca``: PEM bytes of the CA certificates that signed the server's certificate (None: gRPC's
    default roots). ``cert`` and ``key``: a PEM client certificate and its private key, for
    mutual TLS (needed when the server has ``ssl.clientAuth=need``); give both or neither.
    ``server_name``: the name checked in the server's certificate, when it is not the host
    dialed. ``TLS.from_files(ca=..., cert=..., key=...)`` reads the PEM files.
    """

    ca: bytes | None = None
    cert: bytes | None = None
    key: bytes | None = None
    server_name: str | None = None

    def __post_init__(self) -> None:
        if (self.cert is None) != (self.key is None):
            raise ValueError("TLS: a client certificate needs both cert and key")

    @classmethod
    def from_files(
        cls,
        ca: str | Path | None = None,
        cert: str | Path | None = None,
        key: str | Path | None = None,
        server_name: str | None = None,
    ) -> TLS:
        return cls(_read(ca), _read(cert), _read(key), server_name)

    def credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=self.ca, private_key=self.key, certificate_chain=self.cert
        )

    def channel_options(self) -> list[tuple[str, str]]:
        if self.server_name is None:
            return []
        return [("grpc.ssl_target_name_override", self.server_name)]
