"""Compare-transactions against a real server: both branches, every Stat field, a failing op
aborting atomically, refused conditions, and a compare-and-set race with one winner a round."""

from __future__ import annotations

import threading

import pytest
from server_process import ServerProcess

import paddock
from paddock import Compare, CompareTarget, CreateResult, Op, SetDataResult


def test_then_and_else_branches(client: paddock.Client, path: str) -> None:
    cfg = client.create(f"{path}/cfg", b"v0")
    _, stat = client.get_data(cfg)
    r = client.txn(
        [
            Compare(cfg, "mzxid", "==", stat.mzxid),
            Compare(cfg, CompareTarget.VERSION, "<", 1),
            Compare(cfg, "data_length", ">", 1),
            Compare(cfg, "num_children", "!=", 3),
            Compare.exists(cfg),
            Compare.missing(f"{path}/then"),
        ],
        then=[Op.set_data(cfg, b"v1"), Op.create(f"{path}/then", b"t")],
        otherwise=[Op.create(f"{path}/else")],
    )
    assert r.succeeded
    assert isinstance(r.results[0], SetDataResult)
    assert r.results[0].stat is not None
    assert r.results[0].stat.version == 1
    assert r.results[1] == CreateResult(f"{path}/then", r.results[1].stat)

    lost = client.txn(
        [Compare(cfg, "mzxid", "=", stat.mzxid)],  # changed since
        then=[Op.set_data(cfg, b"lost")],
        otherwise=[Op.create(f"{path}/else", b"e")],
    )
    assert not lost.succeeded
    assert [type(x) for x in lost.results] == [CreateResult]
    assert client.get_data(cfg)[0] == b"v1"
    assert client.exists(f"{path}/else") is not None

    _, stat = client.get_data(cfg)
    rest = client.txn(
        [
            Compare(cfg, "czxid", "==", stat.czxid),
            Compare(cfg, "pzxid", "==", stat.pzxid),
            Compare(cfg, "cversion", "==", stat.cversion),
            Compare(cfg, "aversion", "==", 0),
            Compare(cfg, "ephemeral_owner", "==", 0),
        ]
    )
    assert rest == paddock.TxnResult(True, [])
    # On a missing node every target but existence is false, whatever the operator.
    assert not client.txn([Compare(f"{path}/nothing", "version", "!=", 7)]).succeeded


def test_failing_op_aborts_atomically(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    e = client.create(f"{path}/e", mode=paddock.CreateMode.EPHEMERAL)
    with pytest.raises(paddock.NodeExistsError) as caught:
        client.txn(
            [
                Compare(e, "ephemeral_owner", "==", client.session_id),
                Compare(path, "cversion", "==", 1),
            ],
            then=[Op.set_data(path, b"changed"), Op.create(e)],
        )
    assert caught.value.succeeded is True
    assert caught.value.results is not None
    assert len(caught.value.results) == 2
    stat = client.exists(path)
    assert stat is not None
    assert stat.version == 0

    with paddock.Client(server.address, timeout=10) as other:
        # other's session does not own the ephemeral: the empty else-branch runs.
        assert other.txn([Compare(e, "ephemeral_owner", "==", other.session_id)]) == (
            paddock.TxnResult(False, [])
        )

    with pytest.raises(paddock.BadArgumentsError) as refused:
        client.txn([Compare(e, "exists", "<", 1)])
    assert refused.value.succeeded is None
    with pytest.raises(ValueError, match="unknown compare target 'size'"):
        Compare(e, "size", "==", 1)
    with pytest.raises(ValueError, match="unknown compare operator '<='"):
        Compare(e, "version", "<=", 1)


def cas(
    c: paddock.Client,
    who: str,
    node: str,
    mzxid: int,
    start: threading.Barrier,
    won: dict[str, bool],
) -> None:
    start.wait(timeout=10)
    won[who] = c.txn(
        [Compare(node, "mzxid", "==", mzxid)],
        then=[Op.set_data(node, who.encode())],
        otherwise=[Op.check(node)],
    ).succeeded


def test_compare_and_set_race_has_one_winner(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    with paddock.Client(server.address, timeout=10) as other:
        for round_ in range(20):
            node = client.create(f"{path}/race{round_}", b"start")
            _, stat = client.get_data(node)
            won: dict[str, bool] = {}
            start = threading.Barrier(2)
            threads = [
                threading.Thread(target=cas, args=(c, who, node, stat.mzxid, start, won))
                for c, who in ((client, "a"), (other, "b"))
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=10)
            assert sorted(won.values()) == [False, True], f"round {round_}: {won}"
            winner = "a" if won["a"] else "b"
            data, after = client.get_data(node, linearizable=True)
            assert data == winner.encode()
            assert after.version == 1


async def test_aio_txn(aclient: paddock.aio.Client) -> None:
    root = f"/py-aio-txn-{aclient.session_id:x}"
    r = await aclient.txn([Compare.missing(root)], then=[Op.create(root, b"x")])
    assert r.succeeded
    again = await aclient.txn([Compare.missing(root)], otherwise=[Op.set_data(root, b"y", 0)])
    assert not again.succeeded
    assert (await aclient.get_data(root))[0] == b"y"
