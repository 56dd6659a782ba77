"""multi_read: reads in one request, each succeeding or failing by itself."""

from __future__ import annotations

import pytest

import paddock
from paddock import ChildrenRead, DataRead, ReadError, ReadOp


def test_multi_read_answers_each_read(client: paddock.Client, path: str) -> None:
    client.create(f"{path}/a", b"A")
    client.create(f"{path}/a/b")
    results = client.multi_read(
        [
            ReadOp.get_data(f"{path}/a"),
            ReadOp.get_children(f"{path}/a"),
            ReadOp.get_data(f"{path}/x"),
        ]
    )
    assert len(results) == 3
    data, kids, missing = results
    assert isinstance(data, DataRead)
    assert data.data == b"A"
    assert data.stat.num_children == 1
    assert isinstance(kids, ChildrenRead)
    assert kids.children == ["b"]
    assert isinstance(missing, ReadError)
    assert isinstance(missing.error, paddock.NoNodeError)
    assert missing.error.path == f"{path}/x"


def test_error_text_says_each_fact_once(client: paddock.Client, path: str) -> None:
    client.set_data(path, b"x", 0)
    with pytest.raises(paddock.BadVersionError) as caught:
        client.set_data(path, b"y", 0)
    assert str(caught.value) == f"BadVersion (-103) for {path}: expected 0, is 1"
    assert caught.value.message == f"BadVersion for {path}: expected 0, is 1"  # the server's
    assert str(paddock.ConnectionLossError("ConnectionLoss")) == "ConnectionLoss (-4)"
    assert str(paddock.NoNodeError("no node", "/a")) == "NoNode (-101) for /a: no node"
