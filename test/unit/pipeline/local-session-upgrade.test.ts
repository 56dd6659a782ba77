import { SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { Op as TxnOp } from "../../../server/gen/paddock/v1/data.js";
import type { Request, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import { createsEphemeral } from "../../../server/pipeline/local-session-upgrade.js";
import { Code } from "../../../server/util/error-code.js";
import { fakeEnsemble } from "./fake-ensemble.js";
import { connect, connection, create, member, type Op } from "./fake-member.js";

// A local session's upgrade on a real standalone member (localSessionsUpgradingEnabled): which
// requests start it, the requests held behind it in order and their bound, the CreateSession's
// span, and what a failed upgrade leaves (the connection ended, the reason logged).

const ephemeral = (path: string): Op => create(path, 1);
const getData = (path: string): Op => ({
  $case: "getData",
  value: { path, watch: false, consistency: 0 },
});
const close: Op = { $case: "close", value: {} };

function inMemory() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  return { tracer: provider.getTracer("test"), spans };
}

async function opened(outstandingPerSessionMax = 1000, traced = true) {
  const { tracer, spans } = inMemory();
  const m = member({ outstandingPerSessionMax }, undefined, {
    localSessions: { upgrading: true },
    tracer: traced ? tracer : undefined,
  });
  await m.advanceTo(2_000);
  const c = connection(m.pipeline.front, "10.0.9.1");
  c.conn.connect(connect);
  await m.advanceTo(2_100);
  expect(m.pipeline.view.localSessionCount).toBe(1);
  let xid = 100;
  /** One envelope of requests; returns their xids. */
  const batch = (...ops: (Op | undefined)[]): number[] => {
    const requests: Request[] = ops.map((op) => ({ xid: ++xid, timeoutMs: 0, trace: {}, op }));
    c.conn.submit(requests);
    return requests.map((r) => r.xid);
  };
  const replies = () => c.received.flatMap((r) => (r.kind?.$case === "reply" ? [r.kind.value.xid] : []));
  const upgrades = () => m.leveled.filter((l) => l.includes("upgrad"));
  return { m, c, batch, replies, upgrades, spans };
}

describe("createsEphemeral", () => {
  it("looks into both branches of a txn", () => {
    type Inner = NonNullable<TxnOp["op"]>;
    const made = (path: string, mode = 0): Inner => ({
      $case: "create",
      value: { path, data: Buffer.from("x"), acl: [], mode, ttl: 0n },
    });
    const set: Inner = { $case: "setData", value: { path: "/a", data: Buffer.from("y"), version: -1 } };
    const txn = (thenOps: Inner[], elseOps: Inner[]): Op => ({
      $case: "txn",
      value: { compare: [], thenOps: thenOps.map((op) => ({ op })), elseOps: elseOps.map((op) => ({ op })) },
    });
    expect(createsEphemeral(txn([made("/a", 1)], []))).toBe(true);
    expect(createsEphemeral(txn([], [made("/b", 3)]))).toBe(true);
    expect(createsEphemeral(txn([made("/a")], [made("/b", 2)]))).toBe(false);
    expect(createsEphemeral(txn([set], []))).toBe(false);
    // An empty op (refused later by the multi itself) is no create.
    expect(
      createsEphemeral({ $case: "multi", value: { ops: [{ op: undefined }, { op: made("/m", 1) }] } }),
    ).toBe(true);
    expect(createsEphemeral({ $case: "multi", value: { ops: [{ op: undefined }] } })).toBe(false);
  });
});

describe("upgrading a local session", () => {
  it("holds the ephemeral create and every later request until the CreateSession applies, then answers in order", async () => {
    const { m, c, batch, replies, upgrades, spans } = await opened();
    m.storage.hold();
    const first = batch(getData("/"), ephemeral("/e"), getData("/e"));
    const later = batch(getData("/e"), ephemeral("/f"));
    await m.advanceTo(3_000);
    // The read before the create is answered; the rest wait for the disk.
    expect(replies()).toEqual([first[0]]);
    expect(upgrades()).toEqual(["info upgrading local session 0x100"]);
    m.storage.release();
    await m.advanceTo(3_500);
    expect(replies()).toEqual([...first, ...later]);
    expect(c.reply(first[2]!)?.error).toBeUndefined();
    expect([m.pipeline.view.localSessionCount, m.pipeline.view.sessionCount]).toEqual([0, 1]);
    const [span] = spans("paddock.session.upgrade");
    expect([span?.attributes, span?.status.code]).toEqual([
      { "paddock.session": "0x100" },
      SpanStatusCode.UNSET,
    ]);
    // Global now: another ephemeral create is no upgrade.
    const again = batch(ephemeral("/g"));
    await m.advanceTo(4_000);
    expect(replies().at(-1)).toBe(again[0]);
    expect(upgrades()).toHaveLength(1);
    expect(spans("paddock.session.upgrade")).toHaveLength(1);
    m.stop();
  });

  it("holds up to 2 × outstandingPerSessionMax requests", async () => {
    const { m, c, batch, replies } = await opened(2);
    m.storage.hold();
    const held = batch(ephemeral("/e"), getData("/e"), getData("/e"), getData("/e"));
    await m.advanceTo(3_000);
    m.storage.release();
    await m.advanceTo(3_500);
    expect([c.ended, replies()]).toEqual([false, held]);
    m.stop();
  });

  it("ends the connection past the bound: held requests dropped, the session made global all the same", async () => {
    const { m, c, batch, replies, upgrades } = await opened(2);
    m.storage.hold();
    batch(ephemeral("/e"), getData("/e"), getData("/e"), getData("/e"), getData("/e"));
    expect(c.ended).toBe(true);
    m.storage.release();
    await m.advanceTo(3_500);
    expect(replies()).toEqual([]);
    expect([m.pipeline.view.localSessionCount, m.pipeline.view.sessionCount]).toEqual([0, 1]);
    // The held create was dropped, not run once the session turned global.
    const other = connection(m.pipeline.front, "10.0.9.2");
    other.conn.connect(connect);
    await m.advanceTo(3_600);
    const read = other.send(getData("/e"));
    await m.advanceTo(3_700);
    expect(other.reply(read)?.error?.code).toBe(Code.NoNode);
    // Dropped for the bound: no failure to log.
    expect(upgrades()).toEqual(["info upgrading local session 0x100"]);
    m.stop();
  });

  it("a CreateSession that cannot be made durable: the connection ends, the reason logged, the span failed", async () => {
    const { m, c, batch, replies, upgrades, spans } = await opened();
    m.storage.failWith = new Error("disk gone");
    batch(ephemeral("/e"), getData("/e"));
    await m.advanceTo(3_000);
    expect(c.ended).toBe(true);
    expect(replies()).toEqual([]);
    expect(upgrades()).toEqual([
      "info upgrading local session 0x100",
      "warn upgrade of session 0x100 failed: write 4294967297 not durable: disk gone",
    ]);
    const [span] = spans("paddock.session.upgrade");
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    m.stop();
  });

  it("a failed upgrade of a connection already dropped, without tracing: logged, nothing else to end", async () => {
    const { m, c, batch, upgrades } = await opened(1000, false);
    m.storage.failWith = new Error("disk gone");
    batch(ephemeral("/e"));
    c.conn.drop();
    await m.advanceTo(3_000);
    expect(upgrades()).toEqual([
      "info upgrading local session 0x100",
      "warn upgrade of session 0x100 failed: write 4294967297 not durable: disk gone",
    ]);
    m.stop();
  });

  it("not for a session that is closing, a request without an op, or one that creates no ephemeral", async () => {
    const { m, c, batch, replies, upgrades } = await opened();
    const [none, plain] = batch(undefined, create("/p"));
    await m.advanceTo(2_500);
    expect(replies()).toEqual([none, plain]);
    expect(c.reply(none!)?.error).toMatchObject({
      code: Code.BadArguments,
      message: `BadArguments for : request xid ${none} has no op`,
    });
    expect(c.reply(plain!)?.error).toBeUndefined();
    // The close waits behind a write not yet durable; the session is closing from its arrival.
    m.storage.hold();
    const [, closed, eph] = batch(create("/q"), close, ephemeral("/e"));
    await m.advanceTo(2_800);
    m.storage.release();
    await m.advanceTo(3_000);
    expect(c.reply(closed!)?.error).toBeUndefined();
    expect(c.reply(eph!)?.error?.code).toBe(Code.SessionExpired);
    expect(upgrades()).toEqual([]);
    expect(m.pipeline.view.sessionCount).toBe(0);
    m.stop();
  });
});

describe("upgrading on a follower", () => {
  it.each([true, false])(
    "an upgrade that cannot be forwarded (the leader's stream just broke): the connection ends, the reason logged (traced: %s)",
    async (traced) => {
      const { tracer, spans } = inMemory();
      const e = fakeEnsemble(3, { localSessions: { upgrading: true }, tracer: traced ? tracer : undefined });
      await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
      const follower = e.members.find((m) => m !== e.leader())!;
      let ended = false;
      const received: ServerMessage[] = [];
      const conn = follower.pipeline.front.accept("10.0.9.3", {
        send: (m) => received.push(m),
        end: () => {
          ended = true;
        },
      });
      conn.connect({ ...connect, timeoutMs: 30_000 });
      await e.advanceUntil(
        () => received.some((m) => m.kind?.$case === "connected"),
        e.scheduler.now() + 1_000,
      );
      // The follower's link refuses to send from now; the follower hears of it on the next step.
      e.isolate(follower.id);
      expect(follower.pipeline.isServing).toBe(true);
      conn.submit([{ xid: 1, timeoutMs: 0, trace: {}, op: ephemeral("/e") }]);
      expect(ended).toBe(true);
      expect(e.log.filter((l) => l.includes("upgrade"))).toEqual([
        `${follower.id}: upgrade of session 0x${(BigInt(follower.id) << 56n).toString(16)} failed: no connection to the leader: try again`,
      ]);
      expect(spans("paddock.session.upgrade").map((s) => s.status.code)).toEqual(
        traced ? [SpanStatusCode.ERROR] : [],
      );
      e.stop();
    },
  );
});
