import { propagation, SpanStatusCode } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { beforeAll, describe, expect, it } from "vitest";
import * as ensemble from "./fake-ensemble.js";
import { connect, connection, create, member } from "./fake-member.js";

// The spans a standalone member's pipeline records for a session's open and a client's write, with
// the in-memory exporter (found by mutation testing, docs/TESTING.md: tracing-only lines that no
// test read), and on a follower, the trace context a forwarded open or write carries to the
// leader (ProposalTracing itself is pinned in proposal-tracing.test.ts).

function inMemory() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  return { tracer: provider.getTracer("test"), spans };
}

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

function traced(...args: Parameters<typeof member>) {
  const { tracer, spans } = inMemory();
  const [limits = {}, authenticate, extra = {}] = args;
  return { m: member(limits, authenticate, { ...extra, tracer }), spans };
}

const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

describe("spans", () => {
  it("a session's open: attributes, its proposal as a child, ended when applied", async () => {
    const { m, spans } = traced();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.3.1");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    expect(c.received.map((r) => r.kind?.$case)).toEqual(["connected"]);
    const [open] = spans("paddock.session.open");
    expect(open?.attributes).toEqual({ "paddock.session": "0x100", "paddock.timeout_ms": 1000 });
    expect(open?.status.code).toBe(SpanStatusCode.UNSET);
    const [propose] = spans("paddock.propose");
    expect(parentOf(propose)).toBe(idOf(open));
    m.stop();
  });

  it("a local session's open is marked local and ends at once", async () => {
    const { m, spans } = traced({}, undefined, { localSessions: { upgrading: false } });
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.3.2");
    c.conn.connect(connect);
    const [open] = spans("paddock.session.open");
    expect(open?.attributes).toEqual({
      "paddock.session": "0x100",
      "paddock.timeout_ms": 1000,
      "paddock.local_session": true,
    });
    expect(spans("paddock.propose")).toEqual([]);
    m.stop();
  });

  it("an open that fails ends its span with the error, whether proposed or refused", async () => {
    const { m, spans } = traced();
    await m.advanceTo(2_000);
    m.storage.failWith = new Error("disk gone");
    connection(m.pipeline.front, "10.0.3.3").conn.connect(connect);
    await m.advanceTo(2_100);
    connection(m.pipeline.front, "10.0.3.4").conn.connect(connect);
    expect(spans("paddock.session.open").map((s) => [s.attributes["paddock.session"], s.status])).toEqual([
      ["0x100", { code: SpanStatusCode.ERROR, message: "write 4294967297 not durable: disk gone" }],
      ["0x101", { code: SpanStatusCode.ERROR, message: "not accepting writes: storage failed: disk gone" }],
    ]);
    m.stop();
  });

  it("a client's write: its request span has the prepped event and its proposal as a child", async () => {
    const { m, spans } = traced();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.3.5");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const xid = c.send(create("/a"));
    await m.advanceTo(2_200);
    expect(c.reply(xid)?.error).toBeUndefined();
    const [request] = spans("paddock.create");
    expect(request?.events.map((e) => e.name)).toEqual(["prepped", "applied"]);
    const proposals = spans("paddock.propose").filter((s) => parentOf(s) === idOf(request));
    expect(proposals).toHaveLength(1);
    m.stop();
  });
});

describe("spans across members", () => {
  it("a follower's open and write carry their context to the leader's proposal, through the forward span", async () => {
    const { tracer, spans } = inMemory();
    const e = ensemble.fakeEnsemble(3, { tracer });
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const follower = e.members.find((m) => m !== e.leader())!;
    const c = ensemble.connection(follower, "10.0.3.6");
    c.connect();
    await e.advanceUntil(() => c.connected, e.scheduler.now() + 1_000);
    const [xid] = c.send(ensemble.create("/f"));
    await e.advanceUntil(() => c.reply(xid!) !== undefined, e.scheduler.now() + 1_000);
    const forwards = spans("paddock.forward");
    const proposals = spans("paddock.propose");
    for (const origin of [spans("paddock.session.open")[0], spans("paddock.create")[0]]) {
      const forward = forwards.find((s) => parentOf(s) === idOf(origin));
      expect(forward).toBeDefined();
      const propose = proposals.filter((s) => parentOf(s) === idOf(forward));
      expect(propose).toHaveLength(1);
      expect(propose[0]?.spanContext().traceId).toBe(origin?.spanContext().traceId);
    }
    e.stop();
  });
});
