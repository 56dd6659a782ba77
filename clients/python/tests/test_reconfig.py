"""reconfig: refusals on a standalone server, and a real reconfig on a real 3-member ensemble."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from conftest import WAIT
from ensemble_process import EnsembleProcess
from server_process import ServerProcess

import paddock

SUPER = [("digest", "super:secret")]
SETTINGS = {"reconfigEnabled": "true", "superDigest": paddock.digest("super", "secret")}


def ids(config: bytes) -> list[int]:
    return sorted(int(n) for n in re.findall(rb"^server\.(\d+)=", config, re.MULTILINE))


def version(config: bytes, stat: paddock.ZnodeStat) -> int:
    """The config's ``version=`` (hex), which is the node's mzxid."""
    found = re.search(rb"^version=([0-9a-f]+)$", config, re.MULTILINE)
    assert found, config
    assert int(found[1], 16) == stat.mzxid
    return stat.mzxid


def test_reconfig_disabled_then_unimplemented_on_a_standalone_server(server: ServerProcess) -> None:
    # The shared server runs without reconfigEnabled: ReconfigDisabled, as ZooKeeper.
    with paddock.Client(server.address, auth=SUPER, timeout=10) as c:
        with pytest.raises(paddock.ReconfigDisabledError, match="reconfigEnabled=true") as off:
            c.reconfig(leaving="2")
        assert off.value.code == -123
        assert str(off.value).startswith("ReconfigDisabled (-123): ")
    # With it, a standalone server still cannot change members: Unimplemented.
    standalone = ServerProcess("reconfig-standalone", SETTINGS).start()
    try:
        with paddock.Client(standalone.address, auth=SUPER, timeout=10) as c:
            with pytest.raises(paddock.UnimplementedError, match="runs standalone") as alone:
                c.reconfig(new_members=["server.1=127.0.0.1:2888:3888;2181"])
            assert alone.value.code == -6
    finally:
        standalone.cleanup()


@pytest.fixture(scope="module")
def ensemble() -> Iterator[EnsembleProcess]:
    e = EnsembleProcess(3, SETTINGS)
    yield e
    e.stop()


def test_reconfig_on_a_three_member_ensemble(ensemble: EnsembleProcess) -> None:
    follower = next(m for m in ensemble.members if m.id != ensemble.leader)
    others = [i for i in (1, 2, 3) if i != follower.id]
    with paddock.Client(ensemble.member(ensemble.leader).address, auth=SUPER, timeout=10) as c:
        v0 = version(*c.get_data("/zookeeper/config"))

        # Incremental: the follower leaves; the returned config no longer lists it.
        removed, stat = c.reconfig(leaving=[follower.id], from_config=v0)
        assert ids(removed) == others, removed
        v1 = version(removed, stat)
        assert v1 > v0

        # From a configuration that is no longer current: BadVersion, naming both versions.
        with pytest.raises(paddock.BadVersionError, match=f"version {v0:x}"):
            c.reconfig(joining=follower.line, from_config=v0)

        # Incremental: it joins again, with its client port.
        added, stat = c.reconfig(joining=[follower.line], from_config=v1)
        assert ids(added) == [1, 2, 3]
        assert follower.line.encode() + b"\n" in added
        v2 = version(added, stat)

        # Bulk: the members without the follower, then with it again.
        lines = [ln for ln in added.decode().splitlines() if ln.startswith("server.")]
        without = [ln for ln in lines if ln != follower.line]
        bulk, stat = c.reconfig(new_members=without, from_config=v2)
        assert ids(bulk) == others
        v3 = version(bulk, stat)
        back, stat = c.reconfig(new_members=lines)
        assert ids(back) == [1, 2, 3]
        assert version(back, stat) > v3

    # The re-added member serves the same configuration (sync, read, until a deadline).
    with paddock.Client(follower.address, timeout=10) as f:
        deadline = time.monotonic() + WAIT
        seen = b""
        while seen != back:
            assert time.monotonic() < deadline, f"member {follower.id}: {seen!r}, want {back!r}"
            try:
                f.sync("/zookeeper/config")
                seen, _ = f.get_data("/zookeeper/config")
            except paddock.ConnectionLossError:
                pass
            if seen != back:
                time.sleep(0.05)  # between polls, bounded by the deadline
