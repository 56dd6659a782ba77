"""Joining a watch stream's fragments, without a server: a transaction split over several
messages comes out once, whole; broken sequences are the server's bugs, named."""

from __future__ import annotations

import pytest

import paddock
from paddock._pb import data_pb2 as dpb
from paddock._pb import watch_pb2 as wpb
from paddock.aio._resumable_watch import idle_timeout
from paddock.aio._watch_fragments import FragmentJoin
from paddock.errors import PaddockSystemError


def changes(zxid: int, fragment: bool, *paths: str) -> wpb.WatchChanges:
    return wpb.WatchChanges(
        zxid=zxid,
        fragment=fragment,
        changes=[wpb.WatchChange(type=1, path=p) for p in paths],
    )


def test_a_transaction_in_fragments_comes_out_whole() -> None:
    join = FragmentJoin("/w")
    assert join.add(changes(7, True, "/w/a", "/w/b"), 6) is None
    assert join.add(changes(7, True, "/w/c"), 6) is None
    batch = join.add(changes(7, False, "/w/d"), 6)
    assert batch is not None
    assert batch.zxid == 7
    assert [c.path for c in batch.changes] == ["/w/a", "/w/b", "/w/c", "/w/d"]
    nxt = join.add(changes(8, False, "/w/e"), 7)
    assert nxt is not None
    assert [c.path for c in nxt.changes] == ["/w/e"]


def test_broken_sequences_are_system_errors_naming_the_path() -> None:
    join = FragmentJoin("/w")
    join.add(changes(7, True, "/w/a"), 6)
    with pytest.raises(PaddockSystemError, match="fragments of zxid 0x7 ended by") as e:
        join.add(changes(8, False, "/w/b"), 6)
    assert e.value.path == "/w"
    join = FragmentJoin("/w")
    join.add(changes(7, True, "/w/a"), 6)
    with pytest.raises(PaddockSystemError, match="progress 0x7 inside"):
        join.progress(7)
    with pytest.raises(PaddockSystemError, match="repeated zxid 0x6"):
        FragmentJoin("/w").add(changes(6, False, "/w/a"), 6)


def test_previous_data_and_null_flags_are_carried() -> None:
    change = wpb.WatchChange(
        type=2, path="/w/a", prev_data=b"", prev_stat=dpb.Stat(version=3), prev_data_null=True
    )
    batch = FragmentJoin("/w").add(wpb.WatchChanges(zxid=9, changes=[change]), None)
    assert batch is not None
    c = batch.changes[0]
    assert (c.type, c.data, c.stat, c.data_null) == (
        paddock.EventType.NODE_DELETED,
        None,
        None,
        False,
    )
    assert (c.prev_data, c.prev_data_null) == (b"", True)
    assert c.prev_stat is not None
    assert c.prev_stat.version == 3


def test_idle_timeout_is_three_progress_intervals() -> None:
    assert idle_timeout(200) == pytest.approx(0.6)
    assert idle_timeout(0) == pytest.approx(15.0)  # the server's default, 5 s
    assert idle_timeout(10) == pytest.approx(0.3)  # the server clamps to 100 ms
