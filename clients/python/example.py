"""The README's example: python example.py HOST:PORT (a Paddock server)."""

import sys

import paddock
from paddock import CreateMode, Op

with paddock.Client(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:2181") as client:
    client.ensure_path("/demo")
    client.create("/demo/config", b"v1")

    data, stat = client.get_data("/demo/config", watch=lambda e: print("watch:", e))
    client.set_data("/demo/config", b"v2", version=stat.version)  # fires the watch once

    try:
        client.set_data("/demo/config", b"v3", version=0)  # stale version
    except paddock.BadVersionError as e:
        print(e.code, e.path, e)  # -103 /demo/config ...

    member = client.create("/demo/member-", mode=CreateMode.EPHEMERAL_SEQUENTIAL)
    print(member, client.get_children("/demo"))

    client.multi([Op.check("/demo/config", version=1), Op.delete(member)])

    with paddock.recipes.Lock(client, "/demo/lock", "me"):
        print("holding the lock")
