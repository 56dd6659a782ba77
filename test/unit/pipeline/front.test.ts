import { describe, expect, it } from "vitest";
import type { Request, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { ClientFront, type ConnectionRules } from "../../../server/pipeline/front.js";
import type { Batch } from "../../../server/pipeline/intake.js";
import { Code } from "../../../server/util/error-code.js";
import { connect, connection, member } from "./fake-member.js";
import { refusal } from "./refusal.js";

// The front-end API every door uses. The connection rules on a ClientFront whose context holds
// only what those rules read (clock, member state, applied zxid, authenticate), its intake
// recording the batches; the session flows (early requests, identities, drops) on the real
// Pipeline of fake-member.ts.

function bareFront(rules: Partial<ConnectionRules> = {}, serving = true) {
  let now = 1_000;
  const batches: Batch[] = [];
  const ctx = {
    deps: {
      clock: () => now,
      authenticate: (scheme: string, auth: Uint8Array) => [{ scheme, id: Buffer.from(auth).toString() }],
    },
    member: { leading: false, serving, storageFailure: undefined },
    counters: { appliedZxid: 0x1_0000_0007 },
  } as unknown as PipelineContext;
  const front = new ClientFront(
    ctx,
    { connectionsPerAddressMax: 0, requestsBeforeConnectMax: 2, ...rules },
    (b) => batches.push(b),
  );
  return {
    front,
    batches,
    setNow: (ms: number) => {
      now = ms;
    },
  };
}

const sink = (into: ServerMessage[] = []) => ({ send: (m: ServerMessage) => into.push(m), end: () => {} });
const ping = (xid: number): Request => ({ xid, timeoutMs: 0, trace: {}, op: { $case: "ping", value: {} } });
const whoAmI = { $case: "whoAmI", value: {} } as const;

describe("ClientFront: connections per address", () => {
  it("counts per address up to maxClientCnxns exactly, and names the address and limit past it", () => {
    const { front } = bareFront({ connectionsPerAddressMax: 2 });
    front.accept("10.0.0.1", sink());
    front.accept("10.0.0.1", sink());
    front.accept("10.0.0.2", sink());
    expect(refusal(() => front.accept("10.0.0.1", sink()))).toEqual({
      code: Code.Throttled,
      path: "",
      message: "too many connections from 10.0.0.1: maxClientCnxns is 2",
    });
  });

  it("takes any number with maxClientCnxns 0", () => {
    const { front } = bareFront({ connectionsPerAddressMax: 0 });
    for (let i = 0; i < 50; i++) front.accept("10.0.0.1", sink());
  });

  it("gives a connection back on drop, once however often it is dropped", () => {
    const { front } = bareFront({ connectionsPerAddressMax: 2 });
    const a = front.accept("10.0.0.1", sink());
    const b = front.accept("10.0.0.1", sink());
    a.drop();
    a.drop();
    front.accept("10.0.0.1", sink());
    expect(() => front.accept("10.0.0.1", sink())).toThrow("maxClientCnxns is 2");
    b.drop();
    front.accept("10.0.0.1", sink());
    expect(() => front.accept("10.0.0.1", sink())).toThrow("maxClientCnxns is 2");
  });

  it("frees an address's count entirely when its last connection goes", () => {
    const { front } = bareFront({ connectionsPerAddressMax: 1 });
    const a = front.accept("10.0.0.1", sink());
    a.drop();
    const again = front.accept("10.0.0.1", sink());
    expect(() => front.accept("10.0.0.1", sink())).toThrow("maxClientCnxns is 1");
    again.drop();
    front.accept("10.0.0.1", sink());
  });
});

describe("ClientFront: the connection throttle", () => {
  it("refuses a connect when the bucket is empty, naming its settings, and counts it", () => {
    const f = bareFront({ connectThrottle: { tokens: 2, fillTimeMs: 100, fillCount: 1 } });
    const conns = [1, 2, 3].map(() => f.front.accept("10.0.0.1", sink()));
    conns[0]!.connect(connect);
    conns[1]!.connect(connect);
    expect(refusal(() => conns[2]!.connect(connect))).toEqual({
      code: Code.Throttled,
      path: "",
      message:
        "connect refused: the connection throttle is empty (connection_throttle_tokens 2, 1 more every 100 ms); retry later",
    });
    expect(f.front.throttledConnects).toBe(1);
    // A refused connect is not a connect: the connection may try again once a token is back.
    expect(() => conns[2]!.submit([ping(1)])).toThrow("the first message must be a ConnectRequest");
    f.setNow(1_100);
    conns[2]!.connect(connect);
    expect(f.front.throttledConnects).toBe(1);
  });

  it("has no throttle unless configured", () => {
    const f = bareFront();
    for (let i = 0; i < 20; i++) f.front.accept("10.0.0.1", sink()).connect(connect);
    expect(f.front.throttledConnects).toBe(0);
  });
});

describe("ClientFront: sessionless calls and watch streams", () => {
  it("passes credentials to the authenticator", () => {
    const { front } = bareFront();
    expect(front.authenticate("digest", Buffer.from("u:p"))).toEqual([{ scheme: "digest", id: "u:p" }]);
  });

  it("gives each unary call its own session-0 requester, distinct xids, and resolves with the first reply", async () => {
    const { front, batches } = bareFront();
    const ids = [{ scheme: "ip", id: "10.0.0.1" }];
    const first = front.unary({ $case: "ping", value: {} }, ids, { traceparent: "t" }, 250);
    const second = front.unary({ $case: "ping", value: {} }, ids);
    expect(batches.map((b) => [b.requester.sessionId, b.requester.ids, b.requests])).toEqual([
      [0n, ids, [{ xid: 1, timeoutMs: 250, trace: { traceparent: "t" }, op: { $case: "ping", value: {} } }]],
      [0n, ids, [{ xid: 2, timeoutMs: 0, trace: {}, op: { $case: "ping", value: {} } }]],
    ]);
    expect(batches[0]!.requester).not.toBe(batches[1]!.requester);
    const out = batches[0]!.requester.sink!;
    out.send({ kind: { $case: "event", value: { type: 1, path: "/a", zxid: 1n } } });
    out.send({ kind: { $case: "reply", value: { xid: 1, zxid: 5n, error: undefined, result: undefined } } });
    out.send({ kind: { $case: "reply", value: { xid: 1, zxid: 6n, error: undefined, result: undefined } } });
    out.end();
    expect(await first).toEqual({ xid: 1, zxid: 5n, error: undefined, result: undefined });
    batches[1]!.requester.sink!.send({
      kind: { $case: "reply", value: { xid: 2, zxid: 7n, error: undefined, result: undefined } },
    });
    expect((await second).zxid).toBe(7n);
  });

  it("refuses a watch stream while the member does not serve, naming the path", () => {
    const { front } = bareFront({}, false);
    const spec = { path: "/w" } as Parameters<ClientFront["watch"]>[0];
    expect(refusal(() => front.watch(spec, [], { send: () => {}, end: () => {} } as never))).toEqual({
      code: Code.ConnectionLoss,
      path: "/w",
      message: "this member is not serving (no leader): try another",
    });
  });

  it("shows the applied zxid", () => {
    expect(bareFront().front.zxid).toBe(0x1_0000_0007);
  });
});

describe("FrontConnection on the real pipeline", () => {
  const clientInfo = (c: ReturnType<typeof connection>, xid: number) => {
    const r = c.reply(xid)?.result;
    return r?.$case === "whoAmI" ? r.value.clientInfo.map((i) => `${i.authScheme}:${i.user}`) : undefined;
  };

  it("holds requests sent before the session is ready and runs them, in order, once it is", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    expect(c.conn.sessionId).toBeUndefined();
    c.conn.connect(connect);
    const early = [c.send({ $case: "ping", value: {} }), c.send(whoAmI)];
    expect(c.received).toEqual([]);
    await m.advanceTo(2_100);
    expect(c.received.map((r) => r.kind?.$case)).toEqual(["connected", "reply", "reply"]);
    expect(c.received.slice(1).map((r) => (r.kind?.$case === "reply" ? r.kind.value.xid : 0))).toEqual(early);
    expect(c.conn.sessionId).toBe(0x100n);
    m.stop();
  });

  it("refuses more early requests than requestsBeforeConnectMax, counting the whole batch", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    c.conn.submit(Array.from({ length: 9 }, (_, i) => ping(i + 1)));
    expect(refusal(() => c.conn.submit([ping(10), ping(11)]))).toEqual({
      code: Code.BadArguments,
      path: "",
      message: "BadArguments for : more than 10 requests before the session was established",
    });
    c.conn.submit([ping(10)]);
    await m.advanceTo(2_100);
    // Once established, no bound: the session's own limits apply.
    c.conn.submit(Array.from({ length: 20 }, (_, i) => ping(i + 11)));
    await m.advanceTo(2_200);
    expect(c.received.filter((r) => r.kind?.$case === "reply")).toHaveLength(30);
    m.stop();
  });

  it("adds identities the door established before the session was ready, and after", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    c.conn.addIds([{ scheme: "sasl", id: "early" }]);
    const before = c.send(whoAmI);
    await m.advanceTo(2_100);
    const middle = c.send(whoAmI);
    c.conn.addIds([{ scheme: "sasl", id: "late" }]);
    const after = c.send(whoAmI);
    await m.advanceTo(2_200);
    // Early requests wait for the session, so they are checked with what the door added meanwhile.
    expect(clientInfo(c, before)).toEqual(["sasl:early", "ip:10.0.0.1"]);
    expect(clientInfo(c, middle)).toEqual(["sasl:early", "ip:10.0.0.1"]);
    expect(clientInfo(c, after)).toEqual(["sasl:early", "sasl:late", "ip:10.0.0.1"]);
    m.stop();
  });

  it("a connection dropped before its session was ready runs none of its early requests", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    c.send({ $case: "create", value: { path: "/never", data: Buffer.from("x"), acl: [], mode: 0, ttl: 0n } });
    c.conn.drop();
    await m.advanceTo(2_200);
    expect(c.conn.sessionId).toBeUndefined();
    expect(c.received.filter((r) => r.kind?.$case === "reply")).toEqual([]);
    const other = connection(m.pipeline.front, "10.0.0.2");
    other.conn.connect(connect);
    await m.advanceTo(2_300);
    const probe = other.send({ $case: "exists", value: { path: "/never", watch: false, consistency: 0 } });
    await m.advanceTo(2_400);
    expect(other.reply(probe)?.result).toEqual({ $case: "exists", value: { stat: undefined } });
    m.stop();
  });

  it("dropping a connection whose session moved to another one leaves the new connection's replies alone", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const a = connection(m.pipeline.front, "10.0.0.1");
    a.conn.connect({ ...connect, timeoutMs: 10_000 });
    await m.advanceTo(2_100);
    const hello = a.received[0]?.kind;
    if (hello?.$case !== "connected") throw new Error("not connected");
    const b = connection(m.pipeline.front, "10.0.0.2");
    b.conn.connect({ ...connect, sessionId: hello.value.sessionId, password: hello.value.password });
    await m.advanceTo(2_200);
    expect(b.received[0]?.kind?.$case).toBe("connected");
    a.conn.drop();
    const x = b.send({ $case: "ping", value: {} });
    await m.advanceTo(2_300);
    expect(b.reply(x)?.error).toBeUndefined();
    m.stop();
  });

  it("a dropped connection gets no more replies; its session lives on", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const a = connection(m.pipeline.front, "10.0.0.1");
    a.conn.connect({ ...connect, timeoutMs: 10_000 });
    await m.advanceTo(2_100);
    const hello = a.received[0]?.kind;
    if (hello?.$case !== "connected") throw new Error("not connected");
    // A write waits for its commit: the connection is gone by the time it is answered.
    a.send({ $case: "create", value: { path: "/d", data: Buffer.from("x"), acl: [], mode: 0, ttl: 0n } });
    a.conn.drop();
    await m.advanceTo(2_200);
    expect(a.received.map((r) => r.kind?.$case)).toEqual(["connected"]);
    const b = connection(m.pipeline.front, "10.0.0.2");
    b.conn.connect({ ...connect, sessionId: hello.value.sessionId, password: hello.value.password });
    await m.advanceTo(2_300);
    expect(b.received[0]?.kind?.$case).toBe("connected");
    const probe = b.send({ $case: "exists", value: { path: "/d", watch: false, consistency: 0 } });
    const found = b.reply(probe)?.result;
    expect(found?.$case === "exists" ? found.value.stat?.czxid : undefined).toBeGreaterThan(0n);
    m.stop();
  });
});
