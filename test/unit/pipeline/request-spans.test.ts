import { propagation, SpanStatusCode } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Request } from "../../../server/gen/paddock/v1/session.js";
import type { Op } from "../../../server/pipeline/op-kinds.js";
import { endFailed, startRequestSpan, startSessionSpan } from "../../../server/pipeline/tracing.js";

// The spans tracing.ts starts, on a real SDK tracer with an in-memory exporter: names,
// attributes, the parent a request carries in its W3C trace context, and a failed span's status.
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const PARENT_SPAN = "b7ad6b7169203331";

let exporter: InMemorySpanExporter;
let tracer: ReturnType<BasicTracerProvider["getTracer"]>;
beforeAll(() => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
beforeEach(() => {
  exporter = new InMemorySpanExporter();
  tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("test");
});

const getData = { $case: "getData", value: { path: "/app/x", watch: false, consistency: 0 } } as Op;
const request = (trace: Record<string, string>): Request =>
  ({ xid: 17, timeoutMs: 0, trace, op: getData }) as Request;

describe("request and session spans", () => {
  it("a request's span is named after its op, with path, session in hex and xid, under the caller's span", () => {
    const traceparent = `00-${TRACE_ID}-${PARENT_SPAN}-01`;
    startRequestSpan(tracer, request({ traceparent, tracestate: "vendor=1" }), getData, 0x1fn).end();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe("paddock.getData");
    expect(span?.attributes).toEqual({
      "paddock.path": "/app/x",
      "paddock.session": "0x1f",
      "paddock.xid": 17,
    });
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(span?.spanContext().traceState?.get("vendor")).toBe("1");
  });

  it("a request without a trace context starts a trace of its own", () => {
    startRequestSpan(tracer, request({}), getData, 0n).end();
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.attributes["paddock.session"]).toBe("0x0");
  });

  it("a session span is named after what happened, with the session and any extra attributes", () => {
    startSessionSpan(tracer, "expire", 0xabcn).end();
    startSessionSpan(tracer, "open", 0x10n, { "paddock.local": true }).end();
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes])).toEqual([
      ["paddock.session.expire", { "paddock.session": "0xabc" }],
      ["paddock.session.open", { "paddock.session": "0x10", "paddock.local": true }],
    ]);
  });

  it("a failed span ends with ERROR and the error's message", () => {
    endFailed(startSessionSpan(tracer, "upgrade", 1n), new Error("not durable: disk gone"));
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: "not durable: disk gone" });
  });
});
