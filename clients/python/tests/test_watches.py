"""One-time and persistent watches, sync callbacks and async iterators, with ZooKeeper's
trigger rules (which event reaches which watch, and one-time watches firing once)."""

from __future__ import annotations

import asyncio

import pytest
from conftest import WAIT, Recorder

import paddock
from paddock import AddWatchMode, EventType, WatchedEvent, WatcherType


def barrier(client: paddock.Client, node: str) -> None:
    """Waits until every event the session had before now is delivered: events are delivered
    in order, so a fresh watch that fires proves the earlier ones were handled."""
    fence = Recorder()
    client.create(node, b"")
    client.exists(node, fence)
    client.delete(node)
    assert fence.get().type == EventType.NODE_DELETED


def kinds(rec: Recorder) -> list[tuple[EventType, str]]:
    return [(e.type, e.path) for e in rec.seen]


def test_data_watch_fires_once(client: paddock.Client, path: str) -> None:
    node = f"{path}/d"
    client.create(node, b"0")
    w = Recorder()
    client.get_data(node, w)
    client.set_data(node, b"1")
    event = w.get()
    assert (event.type, event.path) == (EventType.NODE_DATA_CHANGED, node)
    assert event.zxid == client.exists(node).mzxid  # type: ignore[union-attr]
    client.set_data(node, b"2")  # the watch was one-time: no second event
    barrier(client, f"{path}/fence")
    assert len(w.seen) == 1


def test_exists_watch_on_missing_node_fires_created(client: paddock.Client, path: str) -> None:
    w = Recorder()
    assert client.exists(f"{path}/new", w) is None
    client.create(f"{path}/new")
    event = w.get()
    assert (event.type, event.path) == (EventType.NODE_CREATED, f"{path}/new")


def test_child_and_data_watches_on_delete(client: paddock.Client, path: str) -> None:
    node = f"{path}/c"
    client.create(node)
    child_w, data_w, parent_w = Recorder(), Recorder(), Recorder()
    client.get_children(node, child_w)
    client.get_data(node, data_w)
    client.get_children(path, parent_w)
    client.create(f"{node}/kid")
    assert child_w.get() == WatchedEvent(
        EventType.NODE_CHILDREN_CHANGED, node, child_w.seen[0].zxid
    )
    client.delete(f"{node}/kid")
    client.delete(node)
    assert data_w.get().type == EventType.NODE_DELETED
    assert parent_w.get() == WatchedEvent(
        EventType.NODE_CHILDREN_CHANGED, path, parent_w.seen[0].zxid
    )


def test_same_callback_on_two_kinds_fires_once_per_event(client: paddock.Client, path: str) -> None:
    # ZooKeeper dedups watchers per event: one callback registered as data and child watch on a
    # node that is deleted hears NodeDeleted once.
    node = f"{path}/x"
    client.create(node)
    w = Recorder()
    client.get_data(node, w)
    client.get_children(node, w)
    client.delete(node)
    barrier(client, f"{path}/fence")
    assert kinds(w) == [(EventType.NODE_DELETED, node)]


def test_watcher_may_call_the_client(client: paddock.Client, path: str) -> None:
    node = f"{path}/re"
    client.create(node, b"0")
    seen = Recorder()

    def rewatch(event: WatchedEvent) -> None:
        data, _ = client.get_data(event.path)  # a blocking call from the events thread
        seen(data)

    client.get_data(node, rewatch)
    client.set_data(node, b"1")
    assert seen.get() == b"1"


def test_persistent_watch_stays_until_removed(client: paddock.Client, path: str) -> None:
    node = f"{path}/p"
    client.create(node, b"0")
    w = Recorder()
    client.add_watch(node, w, AddWatchMode.PERSISTENT)
    client.set_data(node, b"1")
    client.set_data(node, b"2")
    client.create(f"{node}/kid")
    client.create(f"{node}/kid/grandkid")  # not the watched node's child: no event
    barrier(client, f"{path}/fence")
    assert kinds(w) == [
        (EventType.NODE_DATA_CHANGED, node),
        (EventType.NODE_DATA_CHANGED, node),
        (EventType.NODE_CHILDREN_CHANGED, node),
    ]
    client.remove_watches(node, WatcherType.PERSISTENT)
    barrier(client, f"{path}/fence")
    assert kinds(w)[-1] == (EventType.PERSISTENT_WATCH_REMOVED, node)
    count = len(w.seen)
    client.set_data(node, b"3")
    barrier(client, f"{path}/fence")
    assert len(w.seen) == count
    with pytest.raises(paddock.NoWatcherError) as e:
        client.remove_watches(node, WatcherType.PERSISTENT)
    assert e.value.code == -121


def test_recursive_watch_sees_subtree_but_not_child_events(
    client: paddock.Client, path: str
) -> None:
    w = Recorder()
    client.add_watch(path, w, AddWatchMode.PERSISTENT_RECURSIVE)
    client.create(f"{path}/a")
    client.create(f"{path}/a/b", b"0")
    client.set_data(f"{path}/a/b", b"1")
    client.delete(f"{path}/a/b")
    client.remove_watches(path, WatcherType.PERSISTENT_RECURSIVE)
    assert w.wait_for(lambda e: e.type == EventType.PERSISTENT_WATCH_REMOVED).path == path
    # ZooKeeper: recursive watches never get NodeChildrenChanged.
    assert kinds(w) == [
        (EventType.NODE_CREATED, f"{path}/a"),
        (EventType.NODE_CREATED, f"{path}/a/b"),
        (EventType.NODE_DATA_CHANGED, f"{path}/a/b"),
        (EventType.NODE_DELETED, f"{path}/a/b"),
        (EventType.PERSISTENT_WATCH_REMOVED, path),
    ]


def test_remove_one_time_data_watch(client: paddock.Client, path: str) -> None:
    node = f"{path}/r"
    client.create(node)
    w = Recorder()
    client.get_data(node, w)
    client.remove_watches(node, WatcherType.DATA)
    assert w.get() == WatchedEvent(EventType.DATA_WATCH_REMOVED, node, w.seen[0].zxid)
    client.set_data(node, b"x")
    barrier(client, f"{path}/fence")
    assert len(w.seen) == 1


def test_sync_event_queue(client: paddock.Client, path: str) -> None:
    with client.watch(path, recursive=True) as events:
        client.create(f"{path}/q", b"")
        client.set_data(f"{path}/q", b"1")
        assert events.get(timeout=WAIT).type == EventType.NODE_CREATED
        assert events.get(timeout=WAIT).type == EventType.NODE_DATA_CHANGED
    with pytest.raises(paddock.NoWatcherError):  # closing the queue removed the server watch
        client.remove_watches(path, WatcherType.PERSISTENT_RECURSIVE)


async def test_async_one_time_watch_with_coroutine_callback(aclient: paddock.aio.Client) -> None:
    node = await aclient.create("/py-async-cb-", mode=paddock.CreateMode.PERSISTENT_SEQUENTIAL)
    fired: asyncio.Queue[WatchedEvent] = asyncio.Queue()

    async def on_event(event: WatchedEvent) -> None:
        await fired.put(event)

    await aclient.get_data(node, on_event)
    await aclient.set_data(node, b"1")
    event = await asyncio.wait_for(fired.get(), WAIT)
    assert (event.type, event.path) == (EventType.NODE_DATA_CHANGED, node)
    await aclient.delete(node)


async def test_async_persistent_recursive_stream(aclient: paddock.aio.Client) -> None:
    root = await aclient.create("/py-async-stream-", mode=paddock.CreateMode.PERSISTENT_SEQUENTIAL)
    async with aclient.watch(root, recursive=True) as events:
        await aclient.create(f"{root}/a")
        await aclient.set_data(f"{root}/a", b"x")
        await aclient.delete(f"{root}/a")
        got = [await events.next(WAIT) for _ in range(3)]
    assert [(e.type, e.path) for e in got] == [
        (EventType.NODE_CREATED, f"{root}/a"),
        (EventType.NODE_DATA_CHANGED, f"{root}/a"),
        (EventType.NODE_DELETED, f"{root}/a"),
    ]
    with pytest.raises(paddock.NoWatcherError):
        await aclient.remove_watches(root, WatcherType.PERSISTENT_RECURSIVE)


async def test_async_for_over_watch_ends_when_client_closes(server) -> None:  # type: ignore[no-untyped-def]
    client = await paddock.aio.Client(server.address).start()
    root = await client.create("/py-async-for-", mode=paddock.CreateMode.PERSISTENT_SEQUENTIAL)
    stream = client.watch(root)
    await stream.start()
    await client.set_data(root, b"1")
    seen = []
    async for event in stream:
        seen.append(event.type)
        if len(seen) == 1:
            await client.close()  # ends the iteration after what was already queued
    assert seen == [EventType.NODE_DATA_CHANGED]


async def test_async_stream_overflow_is_an_error(aclient: paddock.aio.Client) -> None:
    root = await aclient.create("/py-async-ovf-", mode=paddock.CreateMode.PERSISTENT_SEQUENTIAL)
    stream = aclient.watch(root, max_queued=2)
    await stream.start()
    for i in range(3):
        await aclient.set_data(root, str(i).encode())
    assert (await stream.next(WAIT)).type == EventType.NODE_DATA_CHANGED
    assert (await stream.next(WAIT)).type == EventType.NODE_DATA_CHANGED
    with pytest.raises(paddock.QueueFullError):
        await stream.next(WAIT)
    await stream.aclose()
