"""Recipes listen on the client's session states only while they queue or hold something: a
long-lived client whose recipes come and go (a Semaphore acquires a Lock per lease) keeps the
same number of listeners."""

from __future__ import annotations

from server_process import ServerProcess

import paddock
from paddock.coordination import ReadWriteLock, Semaphore
from paddock.group_member import GroupMember
from paddock.recipes import LeaderElection, Lock


def listeners(client: paddock.Client) -> int:
    # add_listener/remove_listener reach the client's loop in order; a call behind them returns
    # once they ran, so the count below is exact.
    client.exists("/")
    return len(client.aio._session.listeners)


def test_listeners_go_when_the_recipe_lets_go(
    server: ServerProcess, client: paddock.Client, path: str
) -> None:
    before = listeners(client)
    semaphore = Semaphore(client, f"{path}/sem", 2)
    for _ in range(20):
        lease = semaphore.acquire(timeout=10)
        assert lease is not None
        lease.release()
    assert listeners(client) == before

    lock = Lock(client, f"{path}/lock")
    assert lock.acquire(timeout=10)
    assert listeners(client) > before  # held: told of suspension and loss
    assert lock.acquire(timeout=10)  # reentrant
    lock.release()
    assert listeners(client) > before
    lock.release()
    assert listeners(client) == before

    with paddock.Client(server.address, timeout=10) as other:
        holder = Lock(other, f"{path}/lock")
        assert holder.acquire(timeout=10)
        assert not Lock(client, f"{path}/lock").acquire(blocking=False)
        holder.release()
    assert listeners(client) == before

    rw = ReadWriteLock(client, f"{path}/rw")
    for side in (rw.read_lock, rw.write_lock):
        with side:
            pass
    member = GroupMember(client, f"{path}/group", "m1")
    member.join()
    member.leave()
    assert LeaderElection(client, f"{path}/election").run(lambda: 7) == 7
    assert listeners(client) == before
