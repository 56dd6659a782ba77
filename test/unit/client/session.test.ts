import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventType, SessionState } from "../../../clients/ts/gen/paddock/v1/session.js";
import {
  type Client,
  ConnectionLossError,
  connect,
  NoNodeError,
  OperationTimeoutError,
  PaddockError,
  SessionExpiredError,
  ThrottledError,
  type WatchEvent,
} from "../../../clients/ts/src/index.js";
import { connected, event, FakeTransport, reply, sessionEvent } from "./fake-transport.js";

const stat = {
  czxid: 2n,
  mzxid: 3n,
  ctime: 1000n,
  mtime: 2000n,
  version: 1,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 2,
  numChildren: 0,
  pzxid: 2n,
};

async function open(
  opts: { maxOutstanding?: number; serverMax?: number; maxQueued?: number; timeoutMs?: number } = {},
): Promise<{ client: Client; t: FakeTransport }> {
  const t = new FakeTransport();
  const pending = connect("s1:1,s2:2", {
    shuffleServers: false,
    transport: t,
    sessionTimeoutMs: opts.timeoutMs ?? 30_000,
    maxOutstanding: opts.maxOutstanding,
    maxQueued: opts.maxQueued,
    auth: [{ scheme: "digest", auth: "u:p" }],
  });
  t.last.send(connected({ maxOutstanding: opts.serverMax, timeoutMs: opts.timeoutMs }));
  const client = await pending;
  return { client, t };
}

/** Runs the setImmediate flush (and anything else due now). */
async function turn(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("session handshake", () => {
  it("sends one connect with the requested timeout and credentials, then exposes the session", async () => {
    const { client, t } = await open();
    const first = t.streams[0]?.written[0]?.messages;
    expect(first).toHaveLength(1);
    const c = first?.[0]?.kind;
    expect(c?.$case).toBe("connect");
    if (c?.$case !== "connect") return;
    expect(c.value.sessionId).toBe(0n);
    expect(c.value.timeoutMs).toBe(30_000);
    expect(c.value.auth.map((a) => [a.scheme, a.auth.toString()])).toEqual([["digest", "u:p"]]);
    expect(c.value.watches).toBeUndefined();
    expect(client.state).toBe("connected");
    expect(client.sessionId).toBe(0x1234n);
    expect(t.streams[0]?.address).toBe("s1:1");
  });

  it("rejects connect with SessionExpired when the server answers EXPIRED (resume of a dead session)", async () => {
    const t = new FakeTransport();
    const pending = connect("s1:1", { transport: t, sessionId: 77n, password: Buffer.from("pw") });
    t.last.send(sessionEvent(SessionState.SESSION_STATE_EXPIRED, -112));
    await expect(pending).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it("gives up after connectTimeoutMs with ConnectionLoss, trying the servers in turn", async () => {
    const t = new FakeTransport();
    const pending = connect("s1:1,s2:2", {
      shuffleServers: false,
      transport: t,
      connectTimeoutMs: 5000,
      sessionTimeoutMs: 4000,
    });
    const settled = expect(pending).rejects.toBeInstanceOf(ConnectionLossError);
    t.last.emit("error", new Error("refused"));
    await vi.advanceTimersByTimeAsync(5000);
    await settled;
    expect(t.streams.map((s) => s.address).slice(0, 2)).toEqual(["s1:1", "s2:2"]);
  });
});

describe("batching and FIFO bookkeeping", () => {
  it("puts every call of one event-loop turn into one envelope with increasing xids", async () => {
    const { client, t } = await open();
    const a = client.getData("/a");
    const b = client.exists("/b");
    const c = client.delete("/c", 3);
    await turn();
    const envs = t.last.envelopes();
    expect(envs).toHaveLength(1);
    const xids = envs[0]?.map((r) => r.xid) ?? [];
    expect(xids).toEqual([1, 2, 3]);
    expect(envs[0]?.map((r) => r.op?.$case)).toEqual(["getData", "exists", "delete"]);
    expect(envs[0]?.[0]?.timeoutMs).toBe(30_000); // the default deadline travels with the request

    t.last.send(
      reply(1, { $case: "getData", value: { data: Buffer.from("hi"), stat } }, { zxid: 5n }),
      reply(2, { $case: "exists", value: { stat: undefined } }),
      reply(3, undefined, { error: { code: -101, path: "/c" } }),
    );
    expect(Buffer.from((await a).data).toString()).toBe("hi");
    expect((await a).stat.ctime).toBe(1000);
    expect(await b).toBeNull();
    const err = await c.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoNodeError);
    expect(err).toBeInstanceOf(PaddockError);
    expect((err as PaddockError).codeName).toBe("NoNode");
    expect((err as PaddockError).path).toBe("/c");
    expect(client.lastZxidSeen).toBe(5n);
  });

  it("never has more in flight than the server's maxOutstandingRequests; the rest wait", async () => {
    const { client, t } = await open({ serverMax: 2 });
    const calls = [1, 2, 3, 4, 5].map((i) => client.sync(`/n${i}`));
    await turn();
    expect(t.last.requests()).toHaveLength(2);
    expect(client.load).toMatchObject({ outstanding: 2, queued: 3 });
    t.last.send(reply(1, { $case: "sync", value: { path: "/n1" } }));
    await turn();
    expect(t.last.requests().map((r) => r.xid)).toEqual([1, 2, 3]);
    t.last.send(
      reply(2, { $case: "sync", value: { path: "/n2" } }),
      reply(3, { $case: "sync", value: { path: "/n3" } }),
    );
    await turn();
    expect(
      t.last
        .envelopes()
        .at(-1)
        ?.map((r) => r.xid),
    ).toEqual([4, 5]);
    t.last.send(
      reply(4, { $case: "sync", value: { path: "/n4" } }),
      reply(5, { $case: "sync", value: { path: "/n5" } }),
    );
    expect(await Promise.all(calls)).toEqual(["/n1", "/n2", "/n3", "/n4", "/n5"]);
  });

  it("rejects at once with Throttled once maxQueued calls wait", async () => {
    const { client } = await open({ serverMax: 1, maxQueued: 2 });
    const ok = [client.sync("/a"), client.sync("/b")];
    await expect(client.sync("/c")).rejects.toBeInstanceOf(ThrottledError);
    for (const p of ok) p.catch(() => undefined);
  });

  it("rejects a call past its deadline with OperationTimeout and keeps its slot until the reply", async () => {
    const { client, t } = await open({ serverMax: 1 });
    const slow = client.getData("/slow", { timeoutMs: 100 });
    const next = client.sync("/next");
    await turn();
    expect(t.last.requests()[0]?.timeoutMs).toBe(100);
    const failed = expect(slow).rejects.toBeInstanceOf(OperationTimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await failed;
    expect(t.last.requests()).toHaveLength(1); // the slot is still the server's
    t.last.send(reply(1, undefined, { error: { code: -122 } }));
    await turn();
    expect(t.last.requests().map((r) => r.op?.$case)).toEqual(["getData", "sync"]);
    t.last.send(reply(2, { $case: "sync", value: { path: "/next" } }));
    expect(await next).toBe("/next");
  });
});

describe("heartbeat", () => {
  it("pings when nothing was sent for a third of the negotiated timeout", async () => {
    const { t } = await open({ timeoutMs: 3000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(t.last.requests()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.last.requests().map((r) => r.op?.$case)).toEqual(["ping"]);
    t.last.send(reply(1, { $case: "ping", value: {} }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.last.requests().map((r) => r.op?.$case)).toEqual(["ping", "ping"]);
  });

  it("drops a server it has not heard from for two thirds of the timeout and moves on", async () => {
    const { client, t } = await open({ timeoutMs: 3000 });
    const states: string[] = [];
    client.on("state", (s: string) => states.push(s));
    await vi.advanceTimersByTimeAsync(2000);
    expect(states).toEqual(["disconnected"]);
    await vi.advanceTimersByTimeAsync(1); // the first retry goes at once (a 0 ms timer)
    expect(t.streams[0]?.cancelled).toBe(true);
    expect(t.last.address).toBe("s2:2");
  });
});

describe("reconnect", () => {
  it("fails in-flight calls with ConnectionLoss and resumes on the next server with SetWatches and auth", async () => {
    const { client, t } = await open();
    const states: string[] = [];
    client.on("state", (s: string) => states.push(s));
    const seen: WatchEvent[] = [];
    const w = (e: WatchEvent): void => {
      seen.push(e);
    };
    const g = client.getData("/d", { watch: w });
    const ch = client.getChildren("/c", { watch: true });
    const ex = client.exists("/missing", { watch: w });
    await turn();
    t.last.send(
      reply(1, { $case: "getData", value: { data: Buffer.alloc(0), stat } }, { zxid: 9n }),
      reply(2, { $case: "getChildren", value: { children: [], stat } }),
      reply(3, { $case: "exists", value: {} }),
    );
    await Promise.all([g, ch, ex]);
    const auth = client.addAuth("digest", "more:creds");
    const lost = client.sync("/x");
    await turn();
    t.last.send(reply(4, { $case: "addAuth", value: {} }, { zxid: 10n }));
    await auth;
    t.last.emit("error", new Error("boom"));
    await expect(lost).rejects.toBeInstanceOf(ConnectionLossError);
    expect(states).toEqual(["disconnected"]);
    const waiting = client.sync("/later"); // made while disconnected: waits for the next connection
    await turn();
    const resume = t.last;
    expect(resume.address).toBe("s2:2");
    const c = resume.written[0]?.messages[0]?.kind;
    if (c?.$case !== "connect") throw new Error("expected connect");
    expect(c.value.sessionId).toBe(0x1234n);
    expect(c.value.password.toString()).toBe("secret");
    expect(c.value.lastZxidSeen).toBe(10n);
    expect(c.value.auth.map((a) => a.auth.toString())).toEqual(["u:p", "more:creds"]);
    expect(c.value.watches).toEqual({
      relativeZxid: 10n,
      dataWatches: ["/d"],
      existWatches: ["/missing"],
      childWatches: ["/c"],
      persistentWatches: [],
      persistentRecursiveWatches: [],
    });
    resume.send(connected(), event(EventType.EVENT_TYPE_NODE_CREATED, "/missing", 11n));
    expect(states).toEqual(["disconnected", "connected"]);
    expect(seen).toEqual([{ type: "NodeCreated", path: "/missing", zxid: 11n }]);
    await turn();
    expect(resume.requests().map((r) => r.op?.$case)).toEqual(["sync"]);
    resume.send(reply(resume.requests()[0]?.xid ?? 0, { $case: "sync", value: { path: "/later" } }));
    expect(await waiting).toBe("/later");
  });

  it("goes to expired when the resume is refused: everything fails, no further reconnects", async () => {
    const { client, t } = await open();
    const states: string[] = [];
    client.on("state", (s: string) => states.push(s));
    t.last.emit("end");
    const queued = client.sync("/q");
    await turn();
    t.last.send(sessionEvent(SessionState.SESSION_STATE_EXPIRED, -112));
    await expect(queued).rejects.toBeInstanceOf(SessionExpiredError);
    expect(states).toEqual(["disconnected", "expired"]);
    const streams = t.streams.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.streams.length).toBe(streams);
    await expect(client.sync("/x")).rejects.toBeInstanceOf(SessionExpiredError);
    expect(t.closed).toBe(1);
  });
});

describe("ordering of events and replies", () => {
  it("runs a watch callback before the promise of a later reply in the same envelope settles", async () => {
    const { client, t } = await open();
    const order: string[] = [];
    const first = client.getData("/a", { watch: () => order.push("watch") });
    await turn();
    t.last.send(reply(1, { $case: "getData", value: { data: Buffer.alloc(0), stat } }));
    await first;
    const second = client.getData("/a").then(() => order.push("reply"));
    await turn();
    t.last.send(
      event(EventType.EVENT_TYPE_NODE_DATA_CHANGED, "/a", 12n),
      reply(2, { $case: "getData", value: { data: Buffer.from("new"), stat } }),
    );
    await second;
    expect(order).toEqual(["watch", "reply"]);
  });

  it("registers a watch from a reply before the next message of the same envelope is handled", async () => {
    const { client, t } = await open();
    const seen: string[] = [];
    const p = client.exists("/a", { watch: (e) => seen.push(e.type) });
    await turn();
    t.last.send(reply(1, { $case: "exists", value: {} }), event(EventType.EVENT_TYPE_NODE_CREATED, "/a", 3n));
    await p;
    expect(seen).toEqual(["NodeCreated"]);
  });
});

describe("close", () => {
  it("sends close after earlier calls, ends the stream on its reply, then refuses calls", async () => {
    const { client, t } = await open();
    const states: string[] = [];
    client.on("state", (s: string) => states.push(s));
    const before = client.sync("/a");
    const closing = client.close();
    await turn();
    expect(t.last.requests().map((r) => r.op?.$case)).toEqual(["sync", "close"]);
    t.last.send(reply(1, { $case: "sync", value: { path: "/a" } }), reply(2, { $case: "close", value: {} }));
    await closing;
    expect(await before).toBe("/a");
    expect(t.last.ended).toBe(true);
    expect(states).toEqual(["closed"]);
    await expect(client.getData("/a")).rejects.toBeInstanceOf(SessionExpiredError);
  });
});
