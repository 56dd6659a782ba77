import { propagation, type Tracer, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";

/** Who exports the spans: every span of this process carries them as resource attributes. */
export interface TracingIdentity {
  /** `service.name` (paddock.tracing.serviceName, "paddock" by default). */
  readonly serviceName: string;
  /** `paddock.member.id`: the member's server id (myid). */
  readonly memberId: number;
  /** The share of root traces recorded (paddock.tracing.sampleRatio); a client's sampled flag wins. */
  readonly sampleRatio?: number;
}

/** Builds the tracer when tracing is on; off by default so the hot path pays nothing. */
export function setupTracing(
  exporter: "none" | "console" | "otlp",
  endpoint: string | undefined,
  custom?: SpanExporter,
  identity: TracingIdentity = { serviceName: "paddock", memberId: 1 },
): { tracer: Tracer | undefined; shutdown: () => Promise<void> } {
  if (exporter === "none" && custom === undefined) return { tracer: undefined, shutdown: async () => {} };
  const spanExporter =
    custom ??
    (exporter === "console"
      ? new ConsoleSpanExporter()
      : new OTLPTraceExporter(endpoint ? { url: endpoint } : {}));
  // A test's in-memory exporter gets each span as it ends; real exporters batch.
  const processor = custom ? new SimpleSpanProcessor(spanExporter) : new BatchSpanProcessor(spanExporter);
  const resource = resourceFromAttributes({
    "service.name": identity.serviceName,
    "service.instance.id": `member-${identity.memberId}`,
    "paddock.member.id": identity.memberId,
  });
  // Parent-based, as OpenTelemetry's default: a request whose client sampled it is traced whatever the ratio.
  const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(identity.sampleRatio ?? 1) });
  const provider = new BasicTracerProvider({ resource, sampler, spanProcessors: [processor] });
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return { tracer: provider.getTracer("paddock"), shutdown: () => provider.shutdown() };
}
