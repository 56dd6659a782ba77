// biome-ignore-all lint/suspicious/noExplicitAny: the runner reads untyped internals and results of a JavaScript client
// Scenario runner on node-zookeeper-client (npm). Run: node --import tsx runner.ts CONNECT ROOT SCENARIOS.json NAME...
// Prints one JSON object per step (see ../README.md). The client parses replies and watch events
// synchronously in its socket handler; a marker pushed from the reply callback (wrapping its request
// queue) records where each reply fell among the events, so events print in received order.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import zookeeper, { type Client, type Event, type Stat } from "node-zookeeper-client";

type Step = Record<string, any>;
type Entry = { event: Event } | { reply: true };
const FEATURES = new Set<string>(); // no sync, container, TTL, addWatch, removeWatches, getEphemerals, getAllChildrenNumber, whoAmI, session resume
const DEADLINE_MS = 10_000;
const [connect = "", root = "", file = "", ...names] = process.argv.slice(2);
const codes = JSON.parse(readFileSync(join(dirname(file), "codes.json"), "utf8")) as Record<string, string>;
const scenarios = JSON.parse(readFileSync(file, "utf8")) as Record<
  string,
  { requires?: string[]; steps: Step[] }
>;
let base = "";
let rootMade = false;

class Session {
  readonly log: Entry[] = [];
  wake: () => void = () => undefined;
  private last: Event | undefined;
  constructor(
    readonly name: string,
    readonly client: Client,
  ) {
    const cm = (client as any).connectionManager;
    const queue = cm.queue.bind(cm);
    // Requests without a callback (auth, close) get no reply the caller waits for: no marker.
    cm.queue = (request: unknown, cb?: (...a: unknown[]) => void) =>
      cb === undefined
        ? queue(request)
        : queue(request, (...a: unknown[]) => {
            this.push({ reply: true });
            cb(...a);
          });
  }
  /** One watcher for everything: a notification reaching several registrations prints once. */
  readonly watcher = (event: Event): void => {
    if (event === this.last) return;
    this.last = event;
    this.push({ event });
  };
  private push(e: Entry): void {
    this.log.push(e);
    this.wake();
  }
  flushUntilReply(): void {
    while (this.log.length > 0) {
      const e = this.log.shift() as Entry;
      if ("reply" in e) return;
      printEvent(this, e.event);
    }
  }
  events(): number {
    return this.log.filter((e) => "event" in e).length;
  }
}

const print = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const full = (p: string): string => (p === "/" ? base : base + p);
const rel = (p: string): string => (p === base ? "/" : p.startsWith(`${base}/`) ? p.slice(base.length) : p);
const eventNames: Record<number, string> = {
  1: "NodeCreated",
  2: "NodeDeleted",
  3: "NodeDataChanged",
  4: "NodeChildrenChanged",
};
function printEvent(s: Session, e: Event): void {
  print({ event: eventNames[e.getType()] ?? `Type${e.getType()}`, s: s.name, path: rel(e.getPath()) });
}
const long = (b: Buffer): string => b.readBigInt64BE(0).toString();
function stat(st: Stat | null | undefined): unknown {
  if (!st) return null;
  const s = st as any;
  return {
    czxid: long(s.czxid),
    mzxid: long(s.mzxid),
    pzxid: long(s.pzxid),
    ctime: Number(long(s.ctime)),
    mtime: Number(long(s.mtime)),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: long(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}
function acl(a: unknown): zookeeper.ACL[] {
  if (a === undefined || a === "open") return (zookeeper.ACL as any).OPEN_ACL_UNSAFE;
  return (a as Step[]).map((x) => new zookeeper.ACL(x.perms, new zookeeper.Id(x.scheme, x.id)));
}
const modes: Record<string, number | undefined> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};
function mode(m: string | undefined): number {
  const flag = modes[m ?? "persistent"];
  if (flag === undefined) throw new Refused(`node-zookeeper-client cannot create mode ${m}`);
  return flag;
}
const bytes = (step: Step): Buffer => Buffer.from(step.data ?? "", "utf8");
const codeName = (e: any): string => codes[String(e?.getCode?.())] ?? String(e);

function until(s: Session, done: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} in time`)), DEADLINE_MS);
    s.wake = () => {
      if (done()) {
        clearTimeout(timer);
        s.wake = () => undefined;
        resolve();
      }
    };
    s.wake();
  });
}

function open(name: string): Promise<Session> {
  const client = zookeeper.createClient(connect, { sessionTimeout: 10_000, retries: 0 });
  const s = new Session(name, client);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no connection in time")), DEADLINE_MS);
    client.once("connected", () => {
      clearTimeout(timer);
      resolve(s);
    });
    client.connect();
  });
}

/** Thrown when the client itself refuses a call (argument checks): printed, and the script goes on. */
class Refused extends Error {}

/** Calls `fn` with a node-style callback and resolves with [error, ...results], within the deadline. */
function call(fn: (cb: (...a: any[]) => void) => void): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no reply in time")), DEADLINE_MS);
    try {
      fn((...a: any[]) => {
        clearTimeout(timer);
        resolve(a);
      });
    } catch (e) {
      clearTimeout(timer);
      reject(new Refused(String(e)));
    }
  });
}

async function step(sessions: Map<string, Session>, st: Step, i: number): Promise<void> {
  const sname: string = st.s ?? "A";
  const line: Record<string, unknown> = { i, op: st.op, s: sname };
  if (st.path !== undefined) line.path = st.path;
  if (st.op === "connect") {
    const s = await open(sname);
    sessions.set(sname, s);
    if (!rootMade) {
      const [err] = await call((cb) => s.client.create(dirname(base), Buffer.alloc(0), cb));
      if (err && codeName(err) !== "NodeExists") throw err;
      s.log.length = 0;
      rootMade = true;
    }
    print({ ...line, ok: { session: s.client.getSessionId().readBigInt64BE(0).toString() } });
    return;
  }
  const s = sessions.get(sname) as Session;
  const c = s.client;
  const path = st.path === undefined ? "" : full(st.path);
  const w = st.watch ? s.watcher : undefined;
  const version: number = st.version ?? -1;
  let r: any[];
  switch (st.op) {
    case "close": {
      const closed = new Promise<void>((resolve) => c.once("disconnected", () => resolve()));
      c.close();
      await closed;
      while (s.log.length > 0) s.flushUntilReply();
      print({ ...line, ok: {} });
      return;
    }
    case "wait": {
      await until(s, () => s.events() >= st.events, "events").catch(() => undefined);
      let got = 0;
      while (got < st.events && s.log.length > 0) {
        const e = s.log.shift() as Entry;
        if ("event" in e) {
          printEvent(s, e.event);
          got++;
        }
      }
      print({ ...line, got });
      return;
    }
    case "create":
      r = await call((cb) => c.create(path, bytes(st), acl(st.acl), mode(st.mode), cb));
      break;
    case "exists":
      r = await call((cb) => (w ? c.exists(path, w, cb) : c.exists(path, cb)));
      break;
    case "get":
      r = await call((cb) => (w ? c.getData(path, w, cb) : c.getData(path, cb)));
      break;
    case "set":
      r = await call((cb) => c.setData(path, bytes(st), version, cb));
      break;
    case "delete":
      r = await call((cb) => c.remove(path, version, cb));
      break;
    case "children":
      r = await call((cb) => (w ? c.getChildren(path, w, cb) : c.getChildren(path, cb)));
      break;
    case "getAcl":
      r = await call((cb) => c.getACL(path, cb));
      break;
    case "setAcl":
      r = await call((cb) => c.setACL(path, acl(st.acl), version, cb));
      break;
    case "addAuth":
      c.addAuthInfo(st.scheme, Buffer.from(st.auth, "utf8"));
      // addauth has no reply to wait on: a read (answered after it, in order) is the fence.
      r = await call((cb) => c.exists("/", cb));
      break;
    case "multi": {
      const t = c.transaction();
      for (const o of st.ops as Step[]) {
        const p = full(o.path);
        if (o.op === "create") t.create(p, bytes(o), acl(o.acl), mode(o.mode));
        else if (o.op === "delete") t.remove(p, o.version ?? -1);
        else if (o.op === "set") t.setData(p, bytes(o), o.version ?? -1);
        else t.check(p, o.version ?? -1);
      }
      r = await call((cb) => t.commit(cb));
      break;
    }
    default:
      throw new Error(`op ${st.op}`);
  }
  s.flushUntilReply();
  const [err, a, b] = r;
  if (err) {
    const out: Record<string, unknown> = { ...line, err: codeName(err) };
    if (st.op === "multi" && a) out.results = multiResults(a);
    print(out);
    return;
  }
  const ok: Record<string, unknown> = {};
  if (st.op === "create") ok.path = rel(a);
  else if (st.op === "exists" || st.op === "set" || st.op === "setAcl") ok.stat = stat(a);
  else if (st.op === "get") Object.assign(ok, { data: a ? a.toString("utf8") : null, stat: stat(b) });
  else if (st.op === "children") Object.assign(ok, { children: a, stat: stat(b) });
  else if (st.op === "getAcl")
    Object.assign(ok, {
      acl: a.map((x: any) => ({ perms: x.permission, scheme: x.id.scheme, id: x.id.id })),
      stat: stat(b),
    });
  else if (st.op === "multi") ok.results = multiResults(a);
  print({ ...line, ok });
}

function multiResults(results: any[]): unknown[] {
  return results.map((x) => {
    if (x.type === -1) return { err: codes[String(x.err)] ?? `Code${x.err}` };
    if (x.path !== undefined) return { path: rel(x.path) };
    if (x.stat !== undefined) return { stat: stat(x.stat) };
    return {};
  });
}

for (const name of names) {
  base = `${root}/${name}`;
  const sc = scenarios[name] as { requires?: string[]; steps: Step[] };
  const missing = (sc.requires ?? []).filter((f) => !FEATURES.has(f));
  if (missing.length > 0) {
    print({ scenario: name, skipped: missing.join(",") });
    continue;
  }
  print({ scenario: name });
  const sessions = new Map<string, Session>();
  let i = 0;
  try {
    for (const st of sc.steps) {
      await step(sessions, st, i++).catch((e) => {
        if (!(e instanceof Refused)) throw e;
        print({ i: i - 1, op: st.op, s: st.s ?? "A", path: st.path, refused: e.message });
      });
    }
  } catch (e) {
    print({ i: i - 1, crash: String(e) });
  }
  for (const s of sessions.values()) s.client.close();
}
process.exit(0);
