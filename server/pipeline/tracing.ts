import { context, propagation, type Span, type Tracer } from "@opentelemetry/api";
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
