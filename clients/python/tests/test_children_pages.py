"""Paged and filtered getChildren against a real server: exact listings while children change,
prefixes, start tokens, counts, and errors that name the bad value."""

from __future__ import annotations

import pytest

import paddock
from paddock import Op


def name(n: int) -> str:
    return f"c{n:06d}"


def create_children(client: paddock.Client, parent: str, names: list[str]) -> None:
    for i in range(0, len(names), 1000):
        client.multi([Op.create(f"{parent}/{n}") for n in names[i : i + 1000]])


def test_lists_10000_children_exactly_while_they_change(client: paddock.Client, path: str) -> None:
    # Even numbers only: odd ones are free to be created between pages, either side of the cursor.
    initial = [name(2 * i) for i in range(10_000)]
    create_children(client, path, initial)
    expected = set(initial)
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        page = client.get_children_page(path, 700, token)
        pages += 1
        assert len(page.children) <= 700
        seen += page.children
        token = page.next_page_token
        if token is None:
            break
        last = int(page.children[-1][1:])
        client.create(f"{path}/{name(last - 1)}")  # behind the cursor: never listed
        client.delete(f"{path}/{name(last - 2)}")  # behind: listed already, stays listed
        client.create(f"{path}/{name(last + 3)}")  # ahead: listed
        expected.add(name(last + 3))
        client.delete(f"{path}/{name(last + 4)}")  # ahead: not listed
        expected.discard(name(last + 4))
    assert pages >= 15
    assert len(set(seen)) == len(seen)
    assert seen == sorted(expected)


def test_prefix_start_token_and_count(client: paddock.Client, path: str) -> None:
    names = [f"{kind}-{i:03d}" for i in range(250) for kind in ("job", "lock")]
    create_children(client, path, names)
    jobs = list(client.list_children(path, 40, prefix="job-"))
    assert jobs == [f"job-{i:03d}" for i in range(250)]

    first = client.get_children_page(path, 100)
    assert first.next_page_token is not None
    rest = list(client.list_children(path, 64, page_token=first.next_page_token))
    assert first.children + rest == sorted(names)
    assert first.stat.num_children == 500

    assert client.count_children(path) == 500
    assert client.count_children(path, "lock-") == 250
    assert client.count_children(path, "zzz") == 0
    assert client.count_children_async(path, "job-").result(timeout=10) == 250
    with pytest.raises(paddock.NoNodeError):
        client.count_children(f"{path}/missing")


def test_bad_token_and_size_name_the_value(client: paddock.Client, path: str) -> None:
    client.create(f"{path}/a")
    with pytest.raises(paddock.BadArgumentsError, match=r'page_token "not-a-token" for .* is not'):
        client.get_children_page(path, page_token="not-a-token")
    with pytest.raises(paddock.BadArgumentsError, match=r"page_size -3"):
        client.get_children_page(path, -3)
    with pytest.raises(paddock.BadArgumentsError, match="not-a-token"):
        list(client.list_children(path, page_token="not-a-token"))
    with pytest.raises(paddock.NoNodeError):
        list(client.list_children(f"{path}/missing"))


async def test_aio_pages_and_counts(aclient: paddock.aio.Client) -> None:
    root = await aclient.create(f"/py-aio-pages-{aclient.session_id:x}")
    await aclient.multi([Op.create(f"{root}/n{i:02d}") for i in range(30)])
    names = [n async for n in aclient.list_children(root, 7)]
    assert names == [f"n{i:02d}" for i in range(30)]
    page = await aclient.get_children_page(root, 10, prefix="n2")
    assert page.children == [f"n2{i}" for i in range(10)]
    assert page.next_page_token is None
    assert await aclient.count_children(root, "n1") == 10
    with pytest.raises(paddock.BadArgumentsError, match="bogus"):
        await aclient.get_children_page(root, page_token="bogus")
