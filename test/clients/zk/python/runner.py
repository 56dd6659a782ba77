"""Scenario runner on kazoo (PyPI, pinned in scripts/install-zk-clients.sh).

Run: .cache/kazoo-venv/bin/python runner.py CONNECT ROOT SCENARIOS.json NAME...
Prints one JSON object per step (see ../README.md). kazoo reads replies and watch events on one
connection thread but hands them to two other threads; a handler that records, on the connection
thread, each watch dispatch and each reply (an AsyncResult being set) keeps their received order.
"""

import json
import os
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError, ZookeeperError
from kazoo.handlers.threading import SequentialThreadingHandler
from kazoo.handlers.threading import AsyncResult
from kazoo.protocol.states import KazooState
from kazoo.security import ACL, OPEN_ACL_UNSAFE, Id

# No addWatch, removeWatches, getEphemerals, getAllChildrenNumber, whoAmI, container or TTL in kazoo 2.11.
FEATURES = {"sync", "expire"}
DEADLINE = 10.0
EVENT_NAMES = {"CREATED": "NodeCreated", "DELETED": "NodeDeleted", "CHANGED": "NodeDataChanged",
               "CHILD": "NodeChildrenChanged"}
REPLY = object()


class Session:
    def __init__(self, name, connect, client_id=None):
        self.name = name
        self.log = []
        self.states = []
        self.cond = threading.Condition()
        self.last = None
        self.client = KazooClient(hosts=connect, timeout=10, handler=RecordingHandler(self), client_id=client_id)
        self.client.add_listener(self.on_state)
        self.client.start(timeout=DEADLINE)

    def on_state(self, state):
        with self.cond:
            self.states.append(state)
            self.cond.notify_all()

    def push(self, entry):
        with self.cond:
            self.log.append(entry)
            self.cond.notify_all()

    def flush_until_reply(self):
        with self.cond:
            while self.log:
                e = self.log.pop(0)
                if e is REPLY:
                    return
                print_event(self, e)

    def events(self):
        return sum(1 for e in self.log if e is not REPLY)


class RecordingResult(AsyncResult):
    def __init__(self, handler, session):
        super().__init__(handler)
        self.session = session

    def set(self, value=None):
        self.session.push(REPLY)
        super().set(value)

    def set_exception(self, exception):
        self.session.push(REPLY)
        super().set_exception(exception)


class RecordingHandler(SequentialThreadingHandler):
    def __init__(self, session):
        super().__init__()
        self.session = session

    def async_result(self):
        return RecordingResult(self, self.session)

    def dispatch_callback(self, callback):
        # One line per notification, however many registrations it reaches.
        if callback.type == "watch":
            ev = callback.args[0]
            if ev is not self.session.last:
                self.session.last = ev
                self.session.push(ev)
        return super().dispatch_callback(callback)


def out(o):
    sys.stdout.write(json.dumps(o, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def full(p):
    return BASE if p == "/" else BASE + p


def rel(p):
    if p == BASE:
        return "/"
    return p[len(BASE):] if p.startswith(BASE + "/") else p


def print_event(s, e):
    out({"event": EVENT_NAMES.get(e.type, e.type), "s": s.name, "path": rel(e.path)})


def stat(st):
    if st is None:
        return None
    return {"czxid": str(st.czxid), "mzxid": str(st.mzxid), "pzxid": str(st.pzxid), "ctime": st.ctime,
            "mtime": st.mtime, "version": st.version, "cversion": st.cversion, "aversion": st.aversion,
            "ephemeralOwner": str(st.ephemeralOwner), "dataLength": st.dataLength, "numChildren": st.numChildren}


def acl(a):
    if a is None or a == "open":
        return OPEN_ACL_UNSAFE
    return [ACL(x["perms"], Id(x["scheme"], x["id"])) for x in a]


def mode(m):
    m = m or "persistent"
    if m not in ("persistent", "ephemeral", "persistent_sequential", "ephemeral_sequential"):
        raise ValueError("kazoo cannot create mode " + m)
    return {"ephemeral": m.startswith("ephemeral"), "sequence": m.endswith("sequential")}


def data(step):
    return step.get("data", "").encode()


def code_name(e):
    return CODES.get(str(getattr(e, "code", None)), type(e).__name__)


def watcher(_event):
    pass  # events are recorded by RecordingHandler


def multi_results(results):
    res = []
    for r in results:
        if isinstance(r, Exception):
            res.append({"err": code_name(r)})
        elif isinstance(r, str):
            res.append({"path": rel(r)})
        elif r is True:
            res.append({})
        else:
            res.append({"stat": stat(r)})
    return res


def step(sessions, st, i):
    name = st.get("s", "A")
    line = {"i": i, "op": st["op"], "s": name}
    if "path" in st:
        line["path"] = st["path"]
    op = st["op"]
    if op == "connect":
        s = sessions[name] = Session(name, CONNECT)
        global ROOT_MADE
        if not ROOT_MADE:
            try:
                s.client.create(BASE.rsplit("/", 1)[0])
            except NodeExistsError:
                pass
            s.log.clear()
            ROOT_MADE = True
        out({**line, "ok": {"session": str(s.client.client_id[0])}})
        return
    s = sessions[name]
    c = s.client
    path = full(st["path"]) if "path" in st else None
    w = watcher if st.get("watch") else None
    version = st.get("version", -1)
    if op == "close":
        c.stop()
        c.close()
        with s.cond:
            for e in s.log:
                if e is not REPLY:
                    print_event(s, e)
            s.log.clear()
        out({**line, "ok": {}})
        return
    if op == "wait":
        got = 0
        with s.cond:
            s.cond.wait_for(lambda: s.events() >= st["events"], timeout=DEADLINE)
            while got < st["events"] and s.log:
                e = s.log.pop(0)
                if e is not REPLY:
                    print_event(s, e)
                    got += 1
        out({**line, "got": got})
        return
    if op == "waitState":
        want = {"Expired": KazooState.LOST}[st["state"]]
        with s.cond:
            if not s.cond.wait_for(lambda: want in s.states, timeout=DEADLINE):
                raise RuntimeError("no %s in time; states %s" % (want, s.states))
        out({**line, "ok": {}})
        return
    if op == "expire":
        # Another connection resumes the session with its id and password and closes it: the
        # server ends the session at once, as an expiry would, without waiting for a timeout.
        clone = Session(name + "'", CONNECT, client_id=c.client_id)
        clone.client.stop()
        clone.client.close()
        out({**line, "ok": {}})
        return
    try:
        ok = call(c, op, st, path, version, w)
        err = None
    except ZookeeperError as e:
        err = e
    s.flush_until_reply()
    if err is not None:
        extra = {"results": multi_results(err.results)} if isinstance(err, MultiFailed) else {}
        out({**line, "err": code_name(err), **extra})
    else:
        out({**line, "ok": ok})


def call(c, op, st, path, version, w):
    if op == "create":
        p, st2 = c.create_async(path, data(st), acl(st.get("acl")), include_data=True, **mode(st.get("mode"))).get(timeout=DEADLINE)
        return {"path": rel(p), "stat": stat(st2)}
    if op == "exists":
        return {"stat": stat(c.exists_async(path, watch=w).get(timeout=DEADLINE))}
    if op == "get":
        d, st2 = c.get_async(path, watch=w).get(timeout=DEADLINE)
        return {"data": None if d is None else d.decode(), "stat": stat(st2)}
    if op == "set":
        return {"stat": stat(c.set_async(path, data(st), version).get(timeout=DEADLINE))}
    if op == "delete":
        c.delete_async(path, version).get(timeout=DEADLINE)
        return {}
    if op == "children":
        ch, st2 = c.get_children_async(path, watch=w, include_data=True).get(timeout=DEADLINE)
        return {"children": ch, "stat": stat(st2)}
    if op == "getAcl":
        a, st2 = c.get_acls_async(path).get(timeout=DEADLINE)
        return {"acl": [{"perms": x.perms, "scheme": x.id.scheme, "id": x.id.id} for x in a], "stat": stat(st2)}
    if op == "setAcl":
        return {"stat": stat(c.set_acls_async(path, acl(st["acl"]), version).get(timeout=DEADLINE))}
    if op == "addAuth":
        c.add_auth_async(st["scheme"], st["auth"]).get(timeout=DEADLINE)
        return {}
    if op == "sync":
        return {"path": rel(c.sync_async(path).get(timeout=DEADLINE))}
    if op == "multi":
        t = c.transaction()
        for o in st["ops"]:
            p = full(o["path"])
            if o["op"] == "create":
                t.create(p, data(o), acl(o.get("acl")), **mode(o.get("mode")))
            elif o["op"] == "delete":
                t.delete(p, o.get("version", -1))
            elif o["op"] == "set":
                t.set_data(p, data(o), o.get("version", -1))
            else:
                t.check(p, o.get("version", -1))
        results = t.commit_async().get(timeout=DEADLINE)
        failed = [r for r in results if isinstance(r, Exception) and code_name(r) != "Ok"]
        if failed:  # kazoo returns a failed multi's per-op errors instead of raising
            raise MultiFailed(failed[0], results)
        return {"results": multi_results(results)}
    raise RuntimeError("op " + op)


class MultiFailed(ZookeeperError):
    def __init__(self, first, results):
        super().__init__()
        self.code = first.code
        self.results = results


def run(names):
    global BASE
    for name in names:
        BASE = ROOT + "/" + name
        sc = SCENARIOS[name]
        missing = [f for f in sc.get("requires", []) if f not in FEATURES]
        if missing:
            out({"scenario": name, "skipped": ",".join(missing)})
            continue
        out({"scenario": name})
        sessions = {}
        for i, st in enumerate(sc["steps"]):
            try:
                step(sessions, st, i)
            except ValueError as e:  # kazoo's own argument checks: the script goes on
                out({"i": i, "op": st["op"], "s": st.get("s", "A"), "path": st.get("path"), "refused": str(e)})
            except Exception as e:  # noqa: BLE001 - anything else ends the scenario, printed
                out({"i": i, "crash": repr(e)})
                break
        for s in sessions.values():
            s.client.stop()
            s.client.close()


CONNECT, ROOT, FILE = sys.argv[1:4]
with open(FILE) as f:
    SCENARIOS = json.load(f)
with open(os.path.join(os.path.dirname(FILE), "codes.json")) as f:
    CODES = json.load(f)
BASE = ""
ROOT_MADE = False
run(sys.argv[4:])
