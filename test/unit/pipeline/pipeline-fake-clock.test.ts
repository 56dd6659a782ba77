import { describe, expect, it } from "vitest";
import type { Request } from "../../../server/gen/paddock/v1/session.js";
import { connect, connection, create, member } from "./fake-member.js";

describe("the real Pipeline on a virtual clock", () => {
  it("elects itself, opens sessions, orders a watch event before the reply, and expires a silent session", async () => {
    const m = member();
    await m.advanceTo(2_000);
    expect(m.pipeline.isServing).toBe(true);

    const a = connection(m.pipeline.front, "10.0.0.1");
    const b = connection(m.pipeline.front, "10.0.0.2");
    a.conn.connect(connect);
    b.conn.connect({ ...connect, timeoutMs: 60_000 });
    await m.advanceTo(2_100);
    expect(a.received[0]?.kind?.$case).toBe("connected");
    expect(b.received[0]?.kind?.$case).toBe("connected");

    const eph = a.send(create("/eph", 1));
    const watch = b.send({ $case: "exists", value: { path: "/w", watch: true, consistency: 0 } });
    await m.advanceTo(2_200);
    expect(a.reply(eph)?.error).toBeUndefined();
    expect(b.reply(watch)?.result).toEqual({ $case: "exists", value: { stat: undefined } });

    // b's own create fires b's exists watch: the event comes before the reply.
    const created = b.send(create("/w"));
    await m.advanceTo(2_300);
    const kinds = b.received.map((r) => r.kind?.$case);
    const eventAt = b.received.findIndex((r) => r.kind?.$case === "event" && r.kind.value.path === "/w");
    const replyAt = b.received.findIndex((r) => r.kind?.$case === "reply" && r.kind.value.xid === created);
    expect(eventAt, JSON.stringify(kinds)).toBeGreaterThan(0);
    expect(eventAt).toBeLessThan(replyAt);

    // SetWatches after connect: a watch whose change b missed (newer than relativeZxid) fires
    // before the reply; one that is current is registered and fires on the next change.
    const before = b.received.length;
    const sw = b.send({
      $case: "setWatches",
      value: {
        relativeZxid: 0n,
        dataWatches: ["/w"],
        existWatches: [],
        childWatches: ["/"],
        persistentWatches: [],
        persistentRecursiveWatches: [],
      },
    });
    await m.advanceTo(2_350);
    expect(
      b.received
        .slice(before)
        .map((r) => [r.kind?.$case, (r.kind?.value as { path?: string } | undefined)?.path]),
    ).toEqual([
      ["event", "/w"],
      ["event", "/"],
      ["reply", undefined],
    ]);
    expect(b.reply(sw)?.error).toBeUndefined();

    // a goes silent; b keeps pinging. Past a's 1 s timeout the leader expires it by transaction.
    for (let t = 2_400; t <= 4_000; t += 200) {
      b.send({ $case: "ping", value: {} });
      await m.advanceTo(t);
    }
    expect(a.ended).toBe(true);
    expect(a.received.at(-1)?.kind).toMatchObject({ $case: "sessionEvent", value: { state: 3 } });
    const gone = b.send({ $case: "exists", value: { path: "/eph", watch: false, consistency: 0 } });
    await m.advanceTo(4_100);
    expect(b.reply(gone)?.result).toEqual({ $case: "exists", value: { stat: undefined } });
    expect(m.log.some((l) => l.startsWith("expiring session 0x100"))).toBe(true);
    m.stop();
  });

  it("answers a linearizable read and sync only after a noop proposed after them applied", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.3");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const before = BigInt(m.pipeline.zxid);
    const linearizable = c.send({ $case: "getData", value: { path: "/", watch: false, consistency: 1 } });
    const sync = c.send({ $case: "sync", value: { path: "/" } });
    const sequential = c.send({ $case: "getData", value: { path: "/", watch: false, consistency: 0 } });
    // Nothing may be answered from the state the reads arrived at: each waits for its barrier.
    expect(c.reply(linearizable)).toBeUndefined();
    await m.advanceTo(2_200);
    expect(c.reply(linearizable)?.zxid).toBeGreaterThan(before);
    expect(c.reply(sync)?.zxid).toBeGreaterThan(c.reply(linearizable)!.zxid);
    expect(c.reply(sequential)?.error).toBeUndefined();
    m.stop();
  });

  it("applies the connection rules for every door: maxClientCnxns, connect first, bounded early requests", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const sink = { send: () => {}, end: () => {} };
    const first = m.pipeline.front.accept("10.0.0.9", sink);
    m.pipeline.front.accept("10.0.0.9", sink);
    expect(() => m.pipeline.front.accept("10.0.0.9", sink)).toThrow("maxClientCnxns is 2");
    first.drop();
    const again = m.pipeline.front.accept("10.0.0.9", sink);
    const ping: Request = { xid: 1, timeoutMs: 0, trace: {}, op: { $case: "ping", value: {} } };
    expect(() => again.submit([ping])).toThrow("the first message must be a ConnectRequest");
    again.connect(connect);
    expect(() => again.connect(connect)).toThrow("a second ConnectRequest");
    again.submit(Array(10).fill(ping));
    expect(() => again.submit([ping])).toThrow("more than 10 requests before the session was established");
    m.stop();
  });
});
