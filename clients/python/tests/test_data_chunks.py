"""Chunked getData against a real server: a value near 1 MiB joined from chunk sizes that do not
divide it, one version per call under concurrent writes, errors naming the path and limit."""

from __future__ import annotations

import threading

import pytest
from server_process import ServerProcess

import paddock

# Under the server's 1 MiB request limit (jute.maxbuffer counts the whole request), divided
# evenly by none of the chunk sizes below.
VALUE_NEAR_MIB = 1_048_576 - 1_024 - 1


def pattern(n: int) -> bytes:
    return bytes((i * 7 + i // 251) & 0xFF for i in range(n))


def test_joins_a_value_near_one_mib(client: paddock.Client, path: str) -> None:
    want = pattern(VALUE_NEAR_MIB)
    node = client.create(f"{path}/big", want)
    _, stat = client.get_data(node)
    for size in (0, 4093, 65_537, 100_000, VALUE_NEAR_MIB + 1, 1 << 20):
        data, got = client.get_data_chunks(node, size)
        assert data == want, f"chunks of {size}"
        assert got == stat
    data, got = client.get_data_chunks(node, 99_999, linearizable=True)
    assert data == want
    assert got.data_length == VALUE_NEAR_MIB
    empty = client.create(f"{path}/empty", b"")
    assert client.get_data_chunks(empty, 3) == (b"", client.get_data(empty)[1])
    assert client.get_data_chunks_async(node, 70_001).result(timeout=10) == (want, stat)


def test_one_version_per_call_under_writes(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    node = client.create(f"{path}/v", bytes(500_000))
    stop = threading.Event()
    failures: list[BaseException] = []

    def rewrite() -> None:
        with paddock.Client(server.address, timeout=10) as writer:
            i = 0
            while not stop.is_set():
                i = i % 255 + 1
                try:
                    writer.set_data(node, bytes([i]) * (500_000 - i))
                except paddock.PaddockError as e:
                    failures.append(e)
                    return

    t = threading.Thread(target=rewrite)
    t.start()
    try:
        for _ in range(30):
            data, stat = client.get_data_chunks(node, 4093)
            assert data is not None
            mixed = sorted(set(data))[:8]
            assert (len(data), mixed) == (stat.data_length, mixed[:1]), f"version {stat.version}"
    finally:
        stop.set()
        t.join(timeout=10)
    assert not failures, failures


def test_errors_name_the_path_and_limit(server: ServerProcess, path: str) -> None:
    with paddock.Client(server.address, timeout=10, auth=[("digest", "alice:secret")]) as alice:
        with pytest.raises(paddock.NoNodeError) as missing:
            alice.get_data_chunks(f"{path}/missing")
        assert missing.value.path == f"{path}/missing"
        with pytest.raises(paddock.BadArgumentsError, match=r"1048577.*1048576"):
            alice.get_data_chunks(path, (1 << 20) + 1)
        # The call carries the session's digest credentials.
        private = alice.create(
            f"{path}/private",
            b"secret",
            acl=[paddock.make_digest_acl("alice", "secret")],
        )
        assert alice.get_data_chunks(private)[0] == b"secret"
    with paddock.Client(server.address, timeout=10) as anon, pytest.raises(paddock.NoAuthError):
        anon.get_data_chunks(private)


async def test_aio_get_data_chunks(aclient: paddock.aio.Client) -> None:
    root = await aclient.create(f"/py-aio-chunks-{aclient.session_id:x}", b"x" * 200_001)
    data, stat = await aclient.get_data_chunks(root, 65_536)
    assert data == b"x" * 200_001
    assert stat.data_length == 200_001
