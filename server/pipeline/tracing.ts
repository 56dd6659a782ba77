import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanStatusCode,
  type Tracer,
} from "@opentelemetry/api";
import type { Request } from "../gen/paddock/v1/session.js";
import type { Op } from "./op-kinds.js";
import { opPath } from "./op-kinds.js";

const getter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
};

/**
 * One span per request, parented on the W3C trace context the request carries (each request of an
 * envelope has its own, since gRPC metadata is per stream). Stages are span events. Only called when
 * tracing is enabled, so the hot path pays nothing otherwise.
 */
export function startRequestSpan(tracer: Tracer, request: Request, op: Op, sessionId: bigint): Span {
  const parent = propagation.extract(context.active(), request.trace, getter);
  return tracer.startSpan(
    `paddock.${op.$case}`,
    {
      attributes: {
        "paddock.path": opPath(op),
        "paddock.session": `0x${sessionId.toString(16)}`,
        "paddock.xid": request.xid,
      },
    },
    parent,
  );
}

/**
 * A session opened or expired (no client request carries it), traced as a write is: its
 * proposal, the acks and every member's apply join it. Ends when the transaction applies on this
 * member, or with `endFailed` when it will not.
 */
export function startSessionSpan(
  tracer: Tracer,
  what: "open" | "expire" | "upgrade",
  sessionId: bigint,
  attributes: Attributes = {},
): Span {
  const session = `0x${sessionId.toString(16)}`;
  return tracer.startSpan(`paddock.session.${what}`, {
    attributes: { "paddock.session": session, ...attributes },
  });
}

export function endFailed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
  span.end();
}
