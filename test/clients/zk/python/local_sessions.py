"""Local sessions (localSessionsEnabled) as a kazoo client sees them, on a three-member ensemble.

Run: .cache/kazoo-venv/bin/python local_sessions.py LEADER FOLLOWER1 FOLLOWER2
 or: .cache/kazoo-venv/bin/python local_sessions.py standalone ADDRESS
Prints one JSON object of outcomes: the same script runs against Apache ZooKeeper and Paddock
(test/clients/zk/local-sessions.test.ts compares them). Outcomes are error names or "ok".
"""

import json
import os
import re
import socket
import sys
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import ZookeeperError
from kazoo.protocol.states import KazooState

# Long enough that a loaded machine's gap between one probe process exiting and the next one
# resuming its session cannot expire it (ZooKeeper's 500 ms ticks give it up to 10 s).
TIMEOUT = 8.0


def word(address, w):
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(w.encode())
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out.decode()
            out += chunk


def mntr(address, key):
    m = re.search(r"^zk_%s\s+(\S+)" % key, word(address, "mntr"), re.M)
    return int(m.group(1)) if m else None


def sessions(address):
    return {"local": mntr(address, "local_sessions"), "global": mntr(address, "global_sessions")}


def outcome(fn):
    try:
        fn()
        return "ok"
    except ZookeeperError as e:
        return type(e).__name__


def results(rs):
    return ["ok" if isinstance(r, str) else type(r).__name__ for r in rs]


def client(address, client_id=None, timeout=TIMEOUT):
    states = []
    c = KazooClient(hosts=address, timeout=timeout, client_id=client_id, connection_retry={"max_tries": 3})
    c.add_listener(lambda s: states.append(s))
    c.start(timeout=15)
    return c, states


def resume(address, sid, password):
    """"resumed" when the session moved to a connection to `address`, else "expired"."""
    c, states = client(address, (sid, password))
    resumed = c.client_id[0] == sid and KazooState.LOST not in states
    return c, ("resumed" if resumed else "expired")


def gone(c):
    c.stop()
    c.close()


def in_child(fn):
    """fn's JSON result, run in a child process that exits without closing its sessions."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            os.write(write, json.dumps(fn()).encode())
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)  # no closeSession: the sessions live on until they expire
    os.close(write)
    data = b""
    while True:
        chunk = os.read(read, 65536)
        if not chunk:
            break
        data += chunk
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError("child scenario failed (its traceback is above)")
    return json.loads(data.decode())


def first_client():
    """A session on a follower: what it may create. Returns the outcomes and the session's id."""
    out = {}
    before = sessions(F1)
    a, _ = client(F1)
    after = sessions(F1)
    # Paddock's mntr has no local_sessions when they are off: both sides then differ from None.
    out["open_on_follower"] = {
        "follower_local": after["local"] - before["local"],
        "follower_global": after["global"] - before["global"],
        "leader_global": sessions(LEADER)["global"] - before["global"],
    }
    out["persistent_create"] = outcome(lambda: a.create("/ls-p", b"x"))
    out["ephemeral_create"] = outcome(lambda: a.create("/ls-e", b"x", ephemeral=True))
    out["ephemeral_sequential_create"] = outcome(lambda: a.create("/ls-s-", b"", ephemeral=True, sequence=True))
    t = a.transaction()
    t.create("/ls-m-p", b"")
    t.create("/ls-m-e", b"", ephemeral=True)
    out["multi_with_ephemeral"] = results(t.commit())
    out["multi_persistent_created"] = a.exists("/ls-m-p") is not None
    out["after_ephemerals"] = {
        "follower_local": sessions(F1)["local"],
        "leader_global": sessions(LEADER)["global"],
        "ephemeral_exists": a.exists("/ls-e") is not None,
    }
    return out, [a.client_id[0], a.client_id[1].hex()]


def run():
    out, (sid, password) = in_child(first_client)
    password = bytes.fromhex(password)
    # The session on another member: a local one is unknown there. The probe's connection just
    # goes away (no closeSession), as a client's that moves on.
    out["resume_on_other_member"] = in_child(lambda: resume(F2, sid, password)[1])
    # On its own member (a resume on another member may have closed its connection there too).
    c, out["resume_on_own_member"] = resume(F1, sid, password)
    checker, _ = client(LEADER)
    if out["resume_on_own_member"] == "resumed":
        out["ephemeral_before_close"] = checker.exists("/ls-e") is not None
        gone(c)  # closeSession, answered once applied on F1, so already on the leader
        checker.sync("/")
        out["ephemeral_after_close"] = checker.exists("/ls-e") is not None
        d, out["resume_after_close"] = resume(F1, sid, password)
        gone(d)
    else:
        gone(c)
    gone(checker)
    out["leader_session_ephemeral"] = leader_session()
    out["expiry"] = expiry()
    return out


def leader_session():
    """A session on the leader: local too, and its multi's ephemeral is refused by the leader itself."""
    c, _ = client(LEADER)
    t = c.transaction()
    t.create("/ls-leader-m-p", b"")
    t.create("/ls-leader-m-e", b"", ephemeral=True)
    r = {
        "ephemeral_create": outcome(lambda: c.create("/ls-leader-e", b"", ephemeral=True)),
        "multi_with_ephemeral": results(t.commit()),
    }
    gone(c)
    return r


def expiry():
    """A local session with a watch whose client dies: after its timeout it is gone from its member."""
    baseline = mntr(F1, "local_sessions")

    def watcher():
        c, _ = client(F1, timeout=2.0)
        c.exists("/ls-watched", watch=lambda e: None)
        return [c.client_id[0], c.client_id[1].hex(), mntr(F1, "watch_count"), mntr(F1, "local_sessions")]

    sid, password, watches_before, local_before = in_child(watcher)
    # Expiry takes the 2 s timeout plus a tick or two: poll for the session to go, or give up.
    deadline = time.monotonic() + 20.0
    local_after = mntr(F1, "local_sessions")
    while local_after != baseline and time.monotonic() < deadline:
        time.sleep(0.1)  # poll interval under the deadline
        local_after = mntr(F1, "local_sessions")
    c, resumed = resume(F1, sid, bytes.fromhex(password))
    gone(c)
    return {
        "local_before": local_before - baseline,
        "local_after": local_after - baseline,
        "watches_before": watches_before,
        "watches_after": mntr(F1, "watch_count"),
        "resume": resumed,
    }


def standalone(address):
    """localSessionsEnabled on a standalone server: its sessions are global, ephemerals allowed."""
    c, _ = client(address)
    out = sessions(address)
    out["ephemeral_create"] = outcome(lambda: c.create("/ls-standalone-e", b"", ephemeral=True))
    gone(c)
    return out


if sys.argv[1] == "standalone":
    print(json.dumps(standalone(sys.argv[2]), sort_keys=True))
else:
    LEADER, F1, F2 = sys.argv[1:4]
    print(json.dumps(run(), sort_keys=True))
