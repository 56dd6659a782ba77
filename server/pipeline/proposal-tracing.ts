import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { ZabMessage } from "../consensus/messages.js";
import type { TraceContext } from "../gen/paddock/internal/v1/peer.js";
import type { ZabObserver } from "../replica/replica.js";
import { zxidHex } from "../util/zxid.js";

/** Traced proposals a member keeps at once (each kind); past it new ones go untraced. */
export const tracedProposalsMax = 10_000;

/** The leader's open proposal span, until the entry commits. */
interface Proposal {
  readonly span: Span;
  /** What goes on the wire with the proposal (and the inform to observers). */
  readonly carried: TraceContext;
  /** Learners whose (cumulative) ack covered it, so each is recorded once. */
  readonly acked: number[];
}

/** A learner's traced entry, until it applies: the leader's proposal context and the ack span. */
interface Accepted {
  readonly parent: Context;
  ack: Span | undefined;
}

const setter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};
const getter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
};

/**
 * A write traced across members (issue 15), built only when tracing is on; with tracing off the
 * pipeline holds `undefined` and the replica no observer, so the hot path does no context work.
 *
 *   origin member:  paddock.<op> (request span) → paddock.forward (producer, ends when sent)
 *   leader:         paddock.propose (child of the forward, or of the local request span): an event
 *                   `ack` per learner whose ack covers it, `committed`, and it ends at commit
 *   each learner:   paddock.ack (child of the proposal): proposal received → logged, ack sent
 *   every member:   paddock.apply (child of the proposal): the tree, sessions and watch events
 *
 * The proposal's context travels on the ZAB packet (ZabPacket.trace), never in the log. Every
 * member's spans carry its `service.name` and `paddock.member.id` (tracing-setup.ts).
 */
export class ProposalTracing implements ZabObserver {
  /** Leader: proposal spans by zxid (insertion order is zxid order), until commit. */
  private readonly proposals = new Map<number, Proposal>();
  /** Learner: traced entries by zxid, until apply. */
  private readonly accepted = new Map<number, Accepted>();

  constructor(private readonly tracer: Tracer) {}

  /** Origin member: the request goes to the leader; returns the context to send with it. */
  forwarding(request: Span, leaderId: number): TraceContext | undefined {
    if (!request.isRecording()) return undefined;
    const span = this.tracer.startSpan(
      "paddock.forward",
      { kind: SpanKind.PRODUCER, attributes: { "paddock.leader.id": leaderId } },
      trace.setSpan(context.active(), request),
    );
    const carried = carry(span);
    span.end();
    return carried;
  }

  /** Leader: a local traced request was proposed at zxid (0: nothing was proposed). */
  proposedLocal(zxid: number, request: Span): void {
    if (request.isRecording())
      this.proposed(zxid, trace.setSpan(context.active(), request), SpanKind.INTERNAL);
  }

  /** Leader: a forwarded request that carried a trace context was proposed at zxid. */
  proposedForwarded(zxid: number, from: number, carried: TraceContext): void {
    this.proposed(zxid, extract(carried), SpanKind.CONSUMER, from);
  }

  sent(_to: number, message: ZabMessage): TraceContext | undefined {
    if (message.type === "proposal" || message.type === "inform")
      return this.proposals.get(message.entry.zxid)?.carried;
    if (message.type === "ack" && this.accepted.size > 0) this.ackSent(message.zxid);
    return undefined;
  }

  received(from: number, message: ZabMessage, carried: TraceContext | undefined): void {
    if (message.type === "ack") {
      if (this.proposals.size > 0) this.ackReceived(from, message.zxid);
      return;
    }
    if (carried === undefined || this.accepted.size >= tracedProposalsMax) return;
    if (message.type !== "proposal" && message.type !== "inform") return;
    const zxid = message.entry.zxid;
    const parent = extract(carried);
    // An observer gets the committed entry (inform) and never acks.
    const ack =
      message.type === "proposal"
        ? this.tracer.startSpan("paddock.ack", { attributes: zxidAttributes(zxid, from) }, parent)
        : undefined;
    this.accepted.set(zxid, { parent, ack });
  }

  /**
   * A committed entry is applied: the leader's proposal span ends committed; returns the apply
   * span (the caller ends it) when the entry is traced here.
   */
  applying(zxid: number): Span | undefined {
    let parent: Context;
    const proposal = this.proposals.get(zxid);
    if (proposal !== undefined) {
      this.proposals.delete(zxid);
      proposal.span.addEvent("committed", { "paddock.acks": proposal.acked.length });
      proposal.span.end();
      parent = trace.setSpan(ROOT_CONTEXT, proposal.span);
    } else {
      const accepted = this.accepted.get(zxid);
      if (accepted === undefined) return undefined;
      this.accepted.delete(zxid);
      accepted.ack?.end();
      parent = accepted.parent;
    }
    return this.tracer.startSpan("paddock.apply", { attributes: { "paddock.zxid": zxidHex(zxid) } }, parent);
  }

  /** The member's role or leader changed: what is open will not commit through this member. */
  reset(reason: string): void {
    for (const { span } of this.proposals.values()) failed(span, reason);
    for (const { ack } of this.accepted.values()) if (ack !== undefined) failed(ack, reason);
    this.proposals.clear();
    this.accepted.clear();
  }

  private proposed(zxid: number, parent: Context, kind: SpanKind, from?: number): void {
    if (zxid === 0 || this.proposals.size >= tracedProposalsMax) return;
    const attributes = zxidAttributes(zxid, from);
    const span = this.tracer.startSpan("paddock.propose", { kind, attributes }, parent);
    if (!span.isRecording()) return;
    this.proposals.set(zxid, { span, carried: carry(span), acked: [] });
  }

  /** Leader: acks are cumulative, so one covers every open proposal up to its zxid. */
  private ackReceived(from: number, upTo: number): void {
    for (const [zxid, proposal] of this.proposals) {
      if (zxid > upTo) break;
      if (proposal.acked.includes(from)) continue;
      proposal.acked.push(from);
      proposal.span.addEvent("ack", { "paddock.member.id": from });
    }
  }

  /** Learner: the ack leaves once everything up to its zxid is durable here. */
  private ackSent(upTo: number): void {
    for (const [zxid, accepted] of this.accepted) {
      if (zxid > upTo) break;
      accepted.ack?.end();
      accepted.ack = undefined;
    }
  }
}

function zxidAttributes(zxid: number, from: number | undefined): Record<string, string | number> {
  const attributes: Record<string, string | number> = { "paddock.zxid": zxidHex(zxid) };
  if (from !== undefined) attributes["paddock.from.id"] = from;
  return attributes;
}

function carry(span: Span): TraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
  return { traceparent: carrier.traceparent ?? "", tracestate: carrier.tracestate ?? "" };
}

function extract(carried: TraceContext): Context {
  const carrier: Record<string, string> = { traceparent: carried.traceparent };
  if (carried.tracestate !== "") carrier.tracestate = carried.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier, getter);
}

function failed(span: Span, reason: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  span.end();
}
