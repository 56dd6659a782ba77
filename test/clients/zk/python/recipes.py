"""kazoo's recipes against a server, each with asserted outcomes and a deterministic transcript.

Run: .cache/kazoo-venv/bin/python recipes.py CONNECT ROOT - NAME...   (the third argument is unused)
Prints {"scenario": name} then one line per step; a failed expectation prints a "crash" line.
Contenders are sequenced with events and deadlines, never with sleeps.
"""

import json
import sys
import threading

from kazoo.client import KazooClient
from kazoo.recipe.cache import TreeCache, TreeEvent

DEADLINE = 10.0


class Transcript:
    def __init__(self):
        self.i = 0

    def __call__(self, op, s, value):
        out({"i": self.i, "op": op, "s": s, "ok": value})
        self.i += 1
        return value


def out(o):
    sys.stdout.write(json.dumps(o, separators=(",", ":"), sort_keys=True) + "\n")
    sys.stdout.flush()


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def client():
    c = KazooClient(hosts=CONNECT, timeout=10)
    c.start(timeout=DEADLINE)
    CLIENTS.append(c)
    return c


def background(fn):
    """Runs fn in a thread; the returned join() gives its result or raises after the deadline."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as e:  # noqa: BLE001 - re-raised in join
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()

    def join():
        t.join(DEADLINE)
        expect(not t.is_alive(), "background call did not finish in time")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    return join


def until_children(c, path, n):
    """Waits (child watch, deadline) until path has n children."""
    changed = threading.Event()
    while True:
        changed.clear()
        kids = c.get_children(path, watch=lambda _e: changed.set())
        if len(kids) >= n:
            return kids
        expect(changed.wait(DEADLINE), "no child change in time at " + path)


def lock(base, t):
    a, b = client(), client()
    la, lb = a.Lock(base, "A"), b.Lock(base, "B")
    t("acquire", "A", la.acquire(timeout=DEADLINE))
    t("acquire(blocking=False)", "B", lb.acquire(blocking=False))
    held = {"by": "A"}
    join = background(lambda: (lb.acquire(timeout=DEADLINE), held["by"]))
    until_children(a, base, 2)
    t("contenders", "A", la.contenders())
    held["by"] = None
    t("release", "A", la.release())
    got, holder_seen = join()
    expect(holder_seen is None, "B acquired while A held the lock")
    t("acquire", "B", got)
    t("contenders", "A", la.contenders())
    t("release", "B", lb.release())


def election(base, t):
    a, b = client(), client()
    ea, eb = a.Election(base, "A"), b.Election(base, "B")
    a_leads, a_done, b_leads = threading.Event(), threading.Event(), threading.Event()
    ja = background(lambda: ea.run(lambda: (a_leads.set(), a_done.wait(DEADLINE))))
    expect(a_leads.wait(DEADLINE), "A never led")
    jb = background(lambda: eb.run(b_leads.set))
    until_children(a, base, 2)
    t("contenders", "A", ea.contenders())
    t("B leads while A does", "B", b_leads.is_set())
    a_done.set()
    ja()
    expect(b_leads.wait(DEADLINE), "B never led")
    jb()
    t("leader after A", "B", True)
    t("contenders", "B", eb.contenders())


def counter(base, t):
    a, b = client(), client()
    ca = a.Counter(base)
    ca += 5
    t("+= 5", "A", [ca.pre_value, ca.post_value])
    ca -= 2
    t("-= 2", "A", [ca.pre_value, ca.post_value])
    t("value", "B", b.Counter(base).value)
    cf = a.Counter(base + "-float", default=0.5)
    cf += 0.25
    t("float += 0.25", "A", cf.value)


def barrier(base, t):
    a, b = client(), client()
    ba, bb = a.Barrier(base), b.Barrier(base)
    t("wait with no barrier", "B", bb.wait(DEADLINE))
    ba.create()
    t("create", "A", True)
    join = background(lambda: bb.wait(DEADLINE))
    ba.remove()
    t("wait released by remove", "B", join())


def double_barrier(base, t):
    a, b = client(), client()
    da, db = a.DoubleBarrier(base, 2), b.DoubleBarrier(base, 2)
    a.ensure_path(base)
    ja = background(da.enter)
    until_children(b, base, 1)
    t("A waits for B to enter", "A", da.participating)
    jb = background(db.enter)
    ja()
    jb()
    t("both entered", "A,B", [da.participating, db.participating])
    la, lb = background(da.leave), background(db.leave)
    la()
    lb()
    t("both left", "A,B", [da.participating, db.participating])
    t("children left", "A", a.get_children(base))


def queue(base, t):
    a, b = client(), client()
    qa, qb = a.Queue(base), b.Queue(base)
    qa.put(b"first")
    qa.put(b"second")
    qa.put(b"urgent", priority=10)
    t("len", "B", len(qb))
    t("get", "B", [qb.get().decode() for _ in range(3)])
    t("get on empty", "B", qb.get())


def locking_queue(base, t):
    a, b = client(), client()
    qa, qb = a.LockingQueue(base), b.LockingQueue(base)
    qa.put_all([b"one", b"two"])
    qa.put(b"urgent", priority=1)
    t("len", "A", len(qa))
    t("get", "B", qb.get(DEADLINE).decode())
    t("release without consume", "B", qb.release())
    t("get again", "B", qb.get(DEADLINE).decode())
    t("consume", "B", qb.consume())
    t("get", "A", qa.get(DEADLINE).decode())
    t("holds", "A", qa.holds_lock())
    t("consume", "A", qa.consume())
    t("len", "B", len(qb))


def party(base, t):
    a, b = client(), client()
    pa, pb = a.Party(base, "A"), b.Party(base, "B")
    pa.join()
    pb.join()
    t("len", "A", len(pa))
    t("members (sorted)", "A", sorted(pa))
    pb.leave()
    t("members after B left", "A", list(pa))
    sa, sb = a.ShallowParty(base + "-shallow", "A"), b.ShallowParty(base + "-shallow", "B")
    sa.join()
    sb.join()
    t("shallow members (sorted)", "B", sorted(sb))


def semaphore(base, t):
    a, b, c = client(), client(), client()
    sa, sb, sc = a.Semaphore(base, "A", 2), b.Semaphore(base, "B", 2), c.Semaphore(base, "C", 2)
    t("acquire", "A", sa.acquire(timeout=DEADLINE))
    t("acquire", "B", sb.acquire(timeout=DEADLINE))
    t("acquire(blocking=False)", "C", sc.acquire(blocking=False))
    t("lease holders (sorted)", "C", sorted(sc.lease_holders()))
    join = background(lambda: sc.acquire(timeout=DEADLINE))
    t("release", "A", sa.release())
    t("acquire after A released", "C", join())
    t("lease holders (sorted)", "B", sorted(sb.lease_holders()))
    sb.release()
    sc.release()


def tree_cache(base, t):
    a, b = client(), client()
    a.create(base, b"root")
    events, cond = [], threading.Condition()

    def listener(ev):
        with cond:
            events.append(ev)
            cond.notify_all()

    def next_event():
        with cond:
            expect(cond.wait_for(lambda: events, DEADLINE), "no tree event in time")
            ev = events.pop(0)
        names = {v: k for k, v in vars(TreeEvent).items() if k.isupper() and isinstance(v, int)}
        d = ev.event_data
        path = None if d is None else (d.path[len(base):] or "/")
        return [names.get(ev.event_type, ev.event_type), path, None if d is None or d.data is None else d.data.decode()]

    cache = TreeCache(a, base)
    cache.listen(listener)
    cache.start()
    t("event", "A", next_event())
    t("event", "A", next_event())
    b.create(base + "/c", b"1")
    t("event after create", "A", next_event())
    b.set(base + "/c", b"2")
    t("event after set", "A", next_event())
    t("cached data", "A", cache.get_data(base + "/c").data.decode())
    b.delete(base + "/c")
    t("event after delete", "A", next_event())
    t("cached children", "A", sorted(cache.get_children(base)))
    cache.close()


RECIPES = {"lock": lock, "election": election, "counter": counter, "barrier": barrier,
           "double-barrier": double_barrier, "queue": queue, "locking-queue": locking_queue, "party": party,
           "semaphore": semaphore, "tree-cache": tree_cache}

CONNECT, ROOT = sys.argv[1], sys.argv[2]
CLIENTS = []
for name in sys.argv[4:]:
    out({"scenario": name})
    t = Transcript()
    try:
        RECIPES[name](ROOT + "/" + name, t)
    except Exception as e:  # noqa: BLE001 - printed and compared
        out({"i": t.i, "crash": repr(e)})
    for c in CLIENTS:
        c.stop()
        c.close()
    CLIENTS.clear()
