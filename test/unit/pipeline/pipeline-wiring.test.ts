import { SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { WatchStreamResponse } from "../../../server/gen/paddock/v1/watch.js";
import type { WatchSpec } from "../../../server/pipeline/front.js";
import { Code } from "../../../server/util/error-code.js";
import { connection as ensembleConnection, create as ensembleCreate, fakeEnsemble } from "./fake-ensemble.js";
import { connect, connection, create, member } from "./fake-member.js";
import { standaloneLeader } from "./standalone-leader.js";

// What Pipeline's constructor wires and its defaults, each seen from outside on the real Pipeline:
// the proposer's kick, the log line per view, the hooks, reconfig off, the watch streams' history,
// buffer and clock, the local-session expiry timer, and tracing's view of the ZAB traffic.

const spec = (over: Partial<WatchSpec> = {}): WatchSpec => ({
  path: "/",
  recursive: true,
  fromZxid: undefined,
  withData: false,
  childrenEvents: false,
  progressIntervalMs: 0,
  withPrevData: false,
  eventTypes: [],
  fragment: false,
  ...over,
});

function stream(bufferedBytes = 0) {
  const messages: WatchStreamResponse["kind"][] = [];
  return {
    messages,
    sink: { send: (m: WatchStreamResponse) => messages.push(m.kind), bufferedBytes, end: () => {} },
  };
}

describe("the pipeline's wiring on one member", () => {
  it("runs the Ready loop as soon as a write is proposed, without waiting for a tick", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const x = c.send(create("/now"));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(c.reply(x)?.error).toBeUndefined();
    expect(c.reply(x)?.zxid).toBeGreaterThan(0n);
    m.stop();
  });

  it("logs each view it takes, with its level", async () => {
    const m = member();
    await m.advanceTo(2_000);
    expect(m.leveled).toEqual(["info member 1: leading, epoch 1, leader 1, serving"]);
    m.stop();
  });

  it("tells the servingChanged and storageFailed hooks, once each", async () => {
    const serving: boolean[] = [];
    const failed: string[] = [];
    const l = await standaloneLeader({
      servingChanged: (s) => serving.push(s),
      storageFailed: (e) => failed.push(e.message),
    });
    expect(serving).toEqual([true]);
    l.failStorage(new Error("disk gone"));
    await l.forward(3, {
      ref: 1,
      sessionId: 0n,
      ids: [],
      ephemeralAllowed: true,
      localSession: false,
      trace: undefined,
      kind: {
        $case: "request",
        value: {
          xid: 1,
          timeoutMs: 0,
          trace: {},
          op: { $case: "create", value: { path: "/f", data: Buffer.from("x"), acl: [], mode: 0, ttl: 0n } },
        },
      },
    });
    expect(failed).toEqual(["disk gone"]);
    expect(l.log).toContain("error storage failed, no longer accepting writes: disk gone");
    expect(serving).toEqual([true]);
    l.stop();
  });

  it("refuses reconfig unless zoo.cfg enables it", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const x = c.send({
      $case: "reconfig",
      value: { joiningServers: "", leavingServers: "2", newMembers: "", curConfigId: -1n },
    } as never);
    await m.advanceTo(2_200);
    expect(c.reply(x)?.error).toEqual({
      code: Code.ReconfigDisabled,
      path: "",
      message: "reconfig is disabled: set reconfigEnabled=true in zoo.cfg",
    });
    m.stop();
  });
});

describe("the watch streams' defaults", () => {
  it("keeps recent changes for a stream resuming from an older zxid (watchHistorySize 4 MiB)", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const from = m.pipeline.zxid;
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    for (const path of ["/h1", "/h2", "/h3"]) c.send(create(path));
    await m.advanceTo(2_200);
    const s = stream();
    m.pipeline.front.watch(spec({ fromZxid: from }), [], s.sink);
    await m.advanceTo(2_300);
    expect(s.messages.some((k) => k?.$case === "canceled")).toBe(false);
    const paths = JSON.stringify(s.messages, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    for (const path of ["/h1", "/h2", "/h3"]) expect(paths).toContain(`"${path}"`);
    m.stop();
  });

  it("lets a live stream have under 1 MiB in flight, and cancels it at 1 MiB (watchStreamBufferSize)", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const under = stream(1024 * 1024 - 1);
    const at = stream(1024 * 1024);
    m.pipeline.front.watch(spec(), [], under.sink);
    m.pipeline.front.watch(spec(), [], at.sink);
    c.send(create("/b1"));
    await m.advanceTo(2_200);
    expect(JSON.stringify(under.messages, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).toContain(
      '"/b1"',
    );
    expect(at.messages.at(-1)).toMatchObject({
      $case: "canceled",
      value: {
        reason: 2,
        message:
          "slow consumer: more than 1048576 bytes not taken by the transport (watchStreamBufferSize); resume from last_zxid",
      },
    });
    m.stop();
  });

  it("sends progress on the pipeline's clock", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const s = stream();
    m.pipeline.front.watch(spec({ progressIntervalMs: 100 }), [], s.sink);
    await m.advanceTo(2_600);
    expect(s.messages.filter((k) => k?.$case === "progress").length).toBeGreaterThanOrEqual(3);
    m.stop();
  });
});

describe("a state replaced by SNAP (stateReplaced)", () => {
  it("takes the new applied zxid, and resumable history starts there", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const before = m.pipeline.zxid;
    const at = before + 100;
    m.pipeline.stateReplaced(at);
    expect([m.pipeline.zxid, m.pipeline.front.zxid]).toEqual([at, at]);
    const s = stream();
    m.pipeline.front.watch(spec({ fromZxid: before }), [], s.sink);
    await m.advanceTo(2_100);
    expect(s.messages).toEqual([
      {
        $case: "canceled",
        value: {
          reason: 1,
          lastZxid: BigInt(before),
          oldestZxid: BigInt(at),
          message: expect.any(String),
        },
      },
    ]);
    m.stop();
  });
});

describe("local sessions' expiry timer", () => {
  it("expires a silent local session at its deadline, checked every half tick", async () => {
    // tickMs is 2,000 here: deadlines fall on multiples of 2,000 ms, checked every 1,000 ms.
    const m = member({}, undefined, { localSessions: { upgrading: false } });
    await m.advanceTo(4_100);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    await m.advanceTo(4_150);
    expect(c.received[0]?.kind?.$case).toBe("connected");
    // Opened at 4,100 with 1 s: its deadline is 6,000.
    await m.advanceTo(5_950);
    expect(c.ended).toBe(false);
    await m.advanceTo(6_000);
    expect(c.ended).toBe(true);
    expect(m.leveled).toContain("info expiring local session 0x100");
    m.stop();
  });
});

describe("tracing's view of the ZAB traffic (three members)", () => {
  it("carries the leader's proposal to its learners, and ends it with the reason when leading ends", async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
      "t",
    );
    const e = fakeEnsemble(3, { tracer });
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const c = ensembleConnection(leader, "10.0.0.1");
    c.connect();
    await e.advanceUntil(() => c.connected, e.scheduler.now() + 2_000);
    const [made] = c.send(ensembleCreate("/traced"));
    await e.advanceUntil(() => c.reply(made!) !== undefined, e.scheduler.now() + 2_000);
    await e.advanceTo(e.scheduler.now() + 500);
    const spans = exporter.getFinishedSpans();
    const propose = spans.filter((s) => s.name === "paddock.propose").at(-1)!;
    const acks = spans.filter((s) => s.name === "paddock.ack");
    expect(acks.length).toBeGreaterThanOrEqual(2);
    for (const ack of acks.slice(-2))
      expect(ack.parentSpanContext?.spanId).toBe(propose.spanContext().spanId);

    // A write in flight when the leader is cut off: its proposal span ends with the reason.
    e.isolate(leader.id);
    c.send(ensembleCreate("/lost"));
    await e.advanceUntil(() => !leader.pipeline.isServing, e.scheduler.now() + 30_000);
    const lost = exporter
      .getFinishedSpans()
      .filter((s) => s.name === "paddock.propose")
      .at(-1)!;
    expect(lost.status).toEqual({ code: SpanStatusCode.ERROR, message: "now looking, epoch 1" });
    e.stop();
  });
});
