import { propagation, SpanStatusCode } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { beforeAll, describe, expect, it } from "vitest";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { ProposalTracing } from "../../../server/pipeline/proposal-tracing.js";

/** One member's tracing, its spans in memory. */
function member() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("test");
  return { tracer, tracing: new ProposalTracing(tracer), spans: () => exporter.getFinishedSpans() };
}

const proposal = (zxid: number): ZabMessage => ({
  type: "proposal",
  epoch: 1,
  prevZxid: zxid - 1,
  entry: { zxid, txn: {} as Txn },
});

beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

describe("ProposalTracing", () => {
  it("carries a forwarded write's context through proposal, acks, commit and apply", () => {
    const origin = member();
    const leader = member();
    const learner = member();
    const request = origin.tracer.startSpan("paddock.create");
    const carried = origin.tracing.forwarding(request, 2);
    expect(carried?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    leader.tracing.proposedForwarded(5, 1, carried!);
    const onWire = leader.tracing.sent(3, proposal(5));
    expect(onWire).toBeDefined();
    expect(leader.tracing.sent(3, proposal(6))).toBeUndefined(); // not traced
    learner.tracing.received(2, proposal(5), onWire);
    origin.tracing.received(2, proposal(5), onWire);
    expect(learner.tracing.sent(2, { type: "ack", epoch: 1, zxid: 5 })).toBeUndefined();
    leader.tracing.received(3, { type: "ack", epoch: 1, zxid: 5 }, undefined);
    leader.tracing.received(3, { type: "ack", epoch: 1, zxid: 6 }, undefined); // cumulative: once
    for (const m of [leader, learner, origin]) m.tracing.applying(5)?.end();
    request.end();

    const [forward] = origin.spans().filter((s) => s.name === "paddock.forward");
    const [propose] = leader.spans().filter((s) => s.name === "paddock.propose");
    expect(propose?.parentSpanContext?.spanId).toBe(forward?.spanContext().spanId);
    expect(propose?.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(propose?.events.map((e) => [e.name, e.attributes])).toEqual([
      ["ack", { "paddock.member.id": 3 }],
      ["committed", { "paddock.acks": 1 }],
    ]);
    const ack = learner.spans().find((s) => s.name === "paddock.ack");
    expect(ack?.parentSpanContext?.spanId).toBe(propose?.spanContext().spanId);
    for (const m of [leader, learner, origin]) {
      const apply = m.spans().find((s) => s.name === "paddock.apply");
      expect(apply?.parentSpanContext?.spanId).toBe(propose?.spanContext().spanId);
      expect(apply?.attributes["paddock.zxid"]).toBe("0x5");
    }
    // The origin's ack span ended when it applied, though its ack was not seen here.
    expect(origin.spans().filter((s) => s.name === "paddock.ack")).toHaveLength(1);
  });

  it("traces nothing for an untraced entry, and ends what is open when the view changes", () => {
    const leader = member();
    expect(leader.tracing.applying(7)).toBeUndefined();
    const request = leader.tracer.startSpan("paddock.setData");
    leader.tracing.proposedLocal(8, request);
    leader.tracing.proposedLocal(0, request); // nothing was proposed
    leader.tracing.reset("now looking, epoch 2");
    const spans = leader.spans();
    expect(spans.map((s) => s.name)).toEqual(["paddock.propose"]);
    expect(spans[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: "now looking, epoch 2" });
    expect(leader.tracing.sent(2, proposal(8))).toBeUndefined();
  });
});
