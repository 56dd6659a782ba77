import { INVALID_SPAN_CONTEXT, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { beforeAll, describe, expect, it } from "vitest";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { ProposalTracing, tracedProposalsMax } from "../../../server/pipeline/proposal-tracing.js";

// ProposalTracing message by message on a real SDK tracer with an in-memory exporter: span kinds
// and attributes, what is carried and what is ignored, cumulative acks, the bound on what is kept,
// and what a role change ends.
function member(sampled = true) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(sampled ? {} : { sampler: new AlwaysOffSampler() }),
  });
  const tracer = provider.getTracer("test");
  const named = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  return { tracer, tracing: new ProposalTracing(tracer), spans: () => exporter.getFinishedSpans(), named };
}

const entry = (zxid: number) => ({ zxid, txn: {} as Txn });
const proposal = (zxid: number): ZabMessage => ({
  type: "proposal",
  epoch: 1,
  prevZxid: zxid - 1,
  entry: entry(zxid),
});
const inform = (zxid: number): ZabMessage => ({
  type: "inform",
  epoch: 1,
  prevZxid: zxid - 1,
  entry: entry(zxid),
});
const ack = (zxid: number): ZabMessage => ({ type: "ack", epoch: 1, zxid });
const TRACE = "0af7651916cd43dd8448eb211c80319c";
const carriedFrom = (spanId: string, tracestate = "") => ({
  traceparent: `00-${TRACE}-${spanId}-01`,
  tracestate,
});

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

describe("ProposalTracing, edge by edge", () => {
  it("a forward is a producer span under the request, naming the leader, ended when sent", () => {
    const m = member();
    const request = m.tracer.startSpan("paddock.create");
    const carried = m.tracing.forwarding(request, 4);
    const [forward] = m.named("paddock.forward");
    expect([forward?.kind, forward?.attributes, forward?.parentSpanContext?.spanId]).toEqual([
      SpanKind.PRODUCER,
      { "paddock.leader.id": 4 },
      request.spanContext().spanId,
    ]);
    expect(carried).toEqual({
      traceparent: `00-${request.spanContext().traceId}-${forward?.spanContext().spanId}-01`,
      tracestate: "",
    });
  });

  it("an unsampled request is neither forwarded with a context nor proposed as a span", () => {
    const m = member(false);
    const request = m.tracer.startSpan("paddock.create");
    expect(m.tracing.forwarding(request, 4)).toBeUndefined();
    m.tracing.proposedLocal(5, request);
    expect(m.tracing.sent(2, proposal(5))).toBeUndefined();
    m.tracing.proposedForwarded(6, 2, carriedFrom("b7ad6b7169203331"));
    expect(m.tracing.sent(2, proposal(6))).toBeUndefined();
    expect(m.spans()).toEqual([]);
  });

  it("a request span that records nothing is not traced further, even by a tracer that samples", () => {
    const m = member();
    // What a request gets when it was not sampled at the door: a span that records nothing.
    const request = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    expect(m.tracing.forwarding(request, 4)).toBeUndefined();
    m.tracing.proposedLocal(5, request);
    expect(m.tracing.sent(2, proposal(5))).toBeUndefined();
    expect(m.spans()).toEqual([]);
  });

  it("the leader's proposal spans: internal for its own request, consumer naming the sender for a forward", () => {
    const m = member();
    const request = m.tracer.startSpan("paddock.setData");
    m.tracing.proposedLocal(0x1_0000_0005, request);
    m.tracing.proposedForwarded(0x1_0000_0006, 3, carriedFrom("b7ad6b7169203331", "vendor=1"));
    m.tracing.applying(0x1_0000_0005)?.end();
    m.tracing.applying(0x1_0000_0006)?.end();
    const [local, forwarded] = m.named("paddock.propose");
    expect([local?.kind, local?.attributes, local?.parentSpanContext?.spanId]).toEqual([
      SpanKind.INTERNAL,
      { "paddock.zxid": "0x100000005" },
      request.spanContext().spanId,
    ]);
    expect([forwarded?.kind, forwarded?.attributes, forwarded?.parentSpanContext?.spanId]).toEqual([
      SpanKind.CONSUMER,
      { "paddock.zxid": "0x100000006", "paddock.from.id": 3 },
      "b7ad6b7169203331",
    ]);
    expect(forwarded?.spanContext().traceState?.get("vendor")).toBe("1");
  });

  it("carries the proposal's context on proposals and informs only, with the trace state", () => {
    const m = member();
    m.tracing.proposedForwarded(5, 3, carriedFrom("b7ad6b7169203331", "vendor=1"));
    const onWire = m.tracing.sent(2, proposal(5));
    expect(m.tracing.sent(9, inform(5))).toEqual(onWire);
    expect(onWire?.tracestate).toBe("vendor=1");
    expect(onWire?.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(m.tracing.sent(2, ack(5))).toBeUndefined();
    expect(m.tracing.sent(2, { type: "commit", epoch: 1, zxid: 5 } as ZabMessage)).toBeUndefined();
  });

  it("an ack covers every open proposal up to its zxid, once per learner, and the count shows at commit", () => {
    const m = member();
    for (const zxid of [5, 6, 7]) m.tracing.proposedForwarded(zxid, 3, carriedFrom("b7ad6b7169203331"));
    m.tracing.received(2, ack(6), undefined);
    m.tracing.received(2, ack(7), undefined);
    m.tracing.received(4, ack(5), undefined);
    for (const zxid of [5, 6, 7]) m.tracing.applying(zxid)?.end();
    const events = m.named("paddock.propose").map((s) => s.events.map((e) => [e.name, e.attributes]));
    expect(events).toEqual([
      [
        ["ack", { "paddock.member.id": 2 }],
        ["ack", { "paddock.member.id": 4 }],
        ["committed", { "paddock.acks": 2 }],
      ],
      [
        ["ack", { "paddock.member.id": 2 }],
        ["committed", { "paddock.acks": 1 }],
      ],
      [
        ["ack", { "paddock.member.id": 2 }],
        ["committed", { "paddock.acks": 1 }],
      ],
    ]);
  });

  it("a learner's ack span runs from the proposal to the ack that covers it; an inform gets none", () => {
    const m = member();
    m.tracing.received(1, proposal(5), carriedFrom("b7ad6b7169203331"));
    m.tracing.received(1, proposal(6), carriedFrom("c7ad6b7169203332"));
    m.tracing.received(1, inform(7), carriedFrom("d7ad6b7169203333"));
    // Only an ack ends ack spans: a ping or a NEWLEADER ack sent meanwhile ends none.
    m.tracing.sent(1, { type: "ping", epoch: 1 });
    m.tracing.sent(1, { type: "ackNewLeader", epoch: 1, zxid: 7 });
    expect(m.spans()).toEqual([]);
    m.tracing.sent(1, ack(5));
    expect(m.named("paddock.ack").map((s) => [s.attributes, s.parentSpanContext?.spanId])).toEqual([
      [{ "paddock.zxid": "0x5", "paddock.from.id": 1 }, "b7ad6b7169203331"],
    ]);
    m.tracing.sent(1, ack(7));
    expect(m.named("paddock.ack")).toHaveLength(2);
    for (const zxid of [5, 6, 7]) m.tracing.applying(zxid)?.end();
    // Each apply is a child of the leader's proposal; no ack span ends twice.
    expect(m.named("paddock.apply").map((s) => s.parentSpanContext?.spanId)).toEqual([
      "b7ad6b7169203331",
      "c7ad6b7169203332",
      "d7ad6b7169203333",
    ]);
    expect(m.named("paddock.ack")).toHaveLength(2);
    expect(m.tracing.applying(5)).toBeUndefined();
  });

  it("a learner ignores untraced proposals and messages that carry no entry", () => {
    const m = member();
    m.tracing.received(1, proposal(5), undefined);
    m.tracing.received(
      1,
      { type: "commit", epoch: 1, zxid: 5 } as ZabMessage,
      carriedFrom("b7ad6b7169203331"),
    );
    m.tracing.received(1, ack(5), carriedFrom("b7ad6b7169203331"));
    expect(m.tracing.applying(5)).toBeUndefined();
    m.tracing.sent(1, ack(5));
    expect(m.spans()).toEqual([]);
  });

  it("keeps at most tracedProposalsMax proposals and entries; past it new ones go untraced", () => {
    const m = member();
    for (let zxid = 1; zxid <= tracedProposalsMax + 1; zxid++) {
      m.tracing.proposedForwarded(zxid, 3, carriedFrom("b7ad6b7169203331"));
      m.tracing.received(1, proposal(zxid + 100_000), carriedFrom("b7ad6b7169203331"));
    }
    expect(m.tracing.sent(2, proposal(tracedProposalsMax))).toBeDefined();
    expect(m.tracing.sent(2, proposal(tracedProposalsMax + 1))).toBeUndefined();
    expect(m.tracing.applying(tracedProposalsMax + 100_000)).toBeDefined();
    expect(m.tracing.applying(tracedProposalsMax + 1 + 100_000)).toBeUndefined();
    expect(tracedProposalsMax).toBe(10_000);
  });

  it("a role change ends every open proposal and ack span with ERROR and forgets them", () => {
    const m = member();
    m.tracing.proposedForwarded(5, 3, carriedFrom("b7ad6b7169203331"));
    m.tracing.received(1, proposal(6), carriedFrom("b7ad6b7169203331"));
    m.tracing.received(1, inform(7), carriedFrom("b7ad6b7169203331"));
    m.tracing.reset("now following 2");
    expect(m.spans().map((s) => [s.name, s.status])).toEqual([
      ["paddock.propose", { code: SpanStatusCode.ERROR, message: "now following 2" }],
      ["paddock.ack", { code: SpanStatusCode.ERROR, message: "now following 2" }],
    ]);
    expect([m.tracing.applying(5), m.tracing.applying(6), m.tracing.applying(7)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
