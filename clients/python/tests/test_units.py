"""Pure parts without a server: error mapping, ACL digests, the client-side watch registry."""

from __future__ import annotations

import pickle

import pytest

import paddock
from paddock._watches import WatchRegistry
from paddock.types import EventType, WatchedEvent, WatcherType


def test_error_for_maps_codes_to_named_classes() -> None:
    e = paddock.errors.error_for(-101, "/a", "no node")
    assert isinstance(e, paddock.NoNodeError)
    assert (e.code, e.path, e.message) == (-101, "/a", "no node")
    assert str(e) == "NoNode (-101) for /a: no node"
    unknown = paddock.errors.error_for(-999, "/b")
    assert type(unknown) is paddock.PaddockError
    assert unknown.code == -999
    assert pickle.loads(pickle.dumps(e)).path == "/a"


def test_every_error_code_of_the_proto_has_its_class() -> None:
    from paddock._pb import data_pb2 as pb
    from paddock.errors import _BY_CODE

    wire = {v.number for v in pb.ErrorCode.DESCRIPTOR.values if v.number != 0}
    assert wire - set(_BY_CODE) == set()
    # InvalidState (-9) is the client's own: the server never sends it.
    assert set(_BY_CODE) - wire == {-9}
    named = [(-13, "NewConfigNoQuorum"), (-14, "ReconfigInProgress"), (-123, "ReconfigDisabled")]
    for code, name in named:
        e = paddock.errors.error_for(code, "", "why")
        assert (type(e).__name__, e.code, str(e)) == (f"{name}Error", code, f"{name} ({code}): why")


def test_sequence_of() -> None:
    assert paddock.sequence_of("/locks/x/lock-0000000042") == 42
    with pytest.raises(ValueError, match="sequence"):
        paddock.sequence_of("/locks/x/lock-42")


def ev(kind: EventType, path: str) -> WatchedEvent:
    return WatchedEvent(kind, path, 1)


def test_one_time_watches_fire_once_by_zookeeper_rules() -> None:
    r = WatchRegistry()
    data, exist, child = object(), object(), object()
    r.add_data("/a", data)  # type: ignore[arg-type]
    r.add_exist("/b", exist)  # type: ignore[arg-type]
    r.add_child("/a", child)  # type: ignore[arg-type]
    assert r.materialize(ev(EventType.NODE_CHILDREN_CHANGED, "/a")) == [child]
    assert r.materialize(ev(EventType.NODE_CHILDREN_CHANGED, "/a")) == []
    assert r.materialize(ev(EventType.NODE_CREATED, "/b")) == [exist]
    assert r.materialize(ev(EventType.NODE_DELETED, "/a")) == [data]
    assert r.is_empty()


def test_persistent_and_recursive_watch_rules() -> None:
    r = WatchRegistry()
    p, rec = object(), object()
    r.add_persistent("/a", p, recursive=False)  # type: ignore[arg-type]
    r.add_persistent("/", rec, recursive=True)  # type: ignore[arg-type]
    assert r.materialize(ev(EventType.NODE_DATA_CHANGED, "/a")) == [p, rec]
    # Recursive watches never see NodeChildrenChanged; persistent ones do and stay.
    assert r.materialize(ev(EventType.NODE_CHILDREN_CHANGED, "/a")) == [p]
    assert r.materialize(ev(EventType.NODE_CREATED, "/a/b/c")) == [rec]
    sw = r.set_watches(7)
    assert (list(sw.persistent_watches), list(sw.persistent_recursive_watches)) == (["/a"], ["/"])
    assert sw.relative_zxid == 7
    assert r.materialize(ev(EventType.PERSISTENT_WATCH_REMOVED, "/a"), WatcherType.PERSISTENT) == [
        p
    ]
    assert r.has_persistent("/", recursive=True)
    assert r.remove_local("/", WatcherType.ANY) == [rec]
    assert r.is_empty()
