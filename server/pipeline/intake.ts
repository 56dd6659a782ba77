import { map, type OperatorFunction, tap } from "rxjs";
import type { Request } from "../gen/paddock/v1/session.js";
import type { PrepContext, TxnBody } from "../tree/prep.js";
import { AssertionError } from "../util/assert.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineContext } from "./context.js";
import type { ForwardKind, Waiter } from "./forwarder.js";
import { isLinearizable, isWrite, opPath } from "./op-kinds.js";
import { refusal } from "./refusal.js";
import { errorReply, okReply } from "./replies.js";
import type { Requester, Slot } from "./requester.js";
import { drain } from "./session-queue.js";
import { startRequestSpan } from "./tracing.js";
import { prepareWrite } from "./write-ops.js";

/** One connection's requests of one event-loop turn, in arrival order. */
export interface Batch {
  readonly requester: Requester;
  readonly requests: readonly Request[];
}

/** A batch with a slot per request: answered already (refused, addAuth) or waiting. */
interface Admitted {
  readonly requester: Requester;
  readonly slots: Slot[];
}

/** A barrier slot waits for its noop transaction to apply (sync and linearizable reads). */
const BARRIER_PENDING = Number.POSITIVE_INFINITY;

/**
 * Intake: each request gets a slot in arrival order. A refusal (closing session, no leader, a
 * limit) is answered in the slot at once; auth applies on arrival, so later requests are checked
 * with it and earlier ones keep the identities they came with; a close marks the session closing.
 */
export function admit(ctx: PipelineContext): OperatorFunction<Batch, Admitted> {
  return map(({ requester, requests }) => {
    const slots: Slot[] = [];
    for (const request of requests) {
      try {
        slots.push(admitOne(ctx, requester, request, slots.length));
      } catch (error) {
        if (error instanceof AssertionError) throw error;
        ctx.deps.log(
          "error",
          `request xid ${request.xid} failed: ${error instanceof Error ? error.stack : error}`,
        );
        slots.push(
          answered(ctx, requester, request, errorReply(request.xid, ctx.counters.appliedZxid, error)),
        );
      }
    }
    return { requester, slots };
  });
}

function admitOne(ctx: PipelineContext, requester: Requester, request: Request, earlier: number): Slot {
  const { counters, deps } = ctx;
  const op = request.op;
  counters.received++;
  if (requester.isSession) ctx.upkeep.touched(requester.sessionId);
  const refused =
    op === undefined
      ? PaddockError.badArguments("", `request xid ${request.xid} has no op`)
      : refusal(ctx, requester, op, earlier);
  if (refused !== undefined)
    return answered(ctx, requester, request, errorReply(request.xid, counters.appliedZxid, refused));
  const slot: Slot = {
    request,
    ids: requester.ids,
    reply: undefined,
    barrier: 0,
    deadline: request.timeoutMs > 0 ? deps.clock() + request.timeoutMs : 0,
    span: deps.tracer ? startRequestSpan(deps.tracer, request, op!, requester.sessionId) : undefined,
  };
  counters.outstanding++;
  if (op!.$case === "addAuth") {
    try {
      requester.addIds(deps.authenticate(op!.value.scheme, op!.value.auth));
      slot.reply = okReply(request.xid, counters.appliedZxid, { $case: "addAuth", value: {} });
    } catch (error) {
      slot.reply = errorReply(request.xid, counters.appliedZxid, error);
    }
  } else if (op!.$case === "close") {
    requester.closing = true;
  } else if (isLinearizable(op!)) {
    slot.barrier = BARRIER_PENDING;
  }
  return slot;
}

function answered(ctx: PipelineContext, requester: Requester, request: Request, reply: Slot["reply"]): Slot {
  ctx.counters.outstanding++;
  return { request, ids: requester.ids, reply, barrier: 0, deadline: 0, span: undefined };
}

/**
 * Prep and propose: a write (or a barrier's noop) is prepped against the tree plus the outstanding
 * changes and proposed at once on the leader; elsewhere it is forwarded to the leader.
 */
export function prepAndPropose(ctx: PipelineContext): OperatorFunction<Admitted, Admitted> {
  return tap(({ requester, slots }) => {
    for (const slot of slots) {
      if (slot.reply !== undefined) continue;
      const op = slot.request.op!;
      const barrier = slot.barrier !== 0;
      if (!barrier && !isWrite(op)) continue;
      const waiter: Waiter = { requester, slot, barrier, onApplied: undefined, onFailed: undefined };
      try {
        if (!ctx.member.leading) {
          const kind: ForwardKind = barrier
            ? { $case: "barrier", value: {} }
            : { $case: "request", value: slot.request };
          ctx.forwarder.forward(waiter, kind, requester.sessionId, opPath(op));
          continue;
        }
        const prepContext: PrepContext = {
          sessionId: requester.sessionId,
          ids: slot.ids,
          now: ctx.deps.clock(),
          ephemeralAllowed: requester.isSession,
        };
        ctx.proposer.propose(
          requester.sessionId,
          slot.request.xid,
          (zxid): TxnBody => {
            if (barrier) return { $case: "noop", value: {} };
            return prepareWrite(ctx.deps.prep, op, prepContext, zxid);
          },
          waiter,
        );
        slot.span?.addEvent("prepped");
      } catch (error) {
        slot.barrier = 0;
        slot.reply = errorReply(slot.request.xid, ctx.counters.appliedZxid, error);
      }
    }
  });
}

/**
 * Into the session's FIFO queue; whatever is answered at the head (and the reads that reach it)
 * leaves now. A client that keeps sending past Throttled answers has its connection closed, as
 * ZooKeeper closes an overloaded connection; the session survives and may resume.
 */
export function enqueue(ctx: PipelineContext): OperatorFunction<Admitted, void> {
  return map(({ requester, slots }) => {
    const queue = requester.queue;
    const overflow = 2 * ctx.options.limits.outstandingPerSessionMax;
    for (const slot of slots) {
      if (slot.reply !== undefined && queue.length >= overflow) {
        ctx.counters.outstanding--;
        requester.sink?.end();
        requester.sink = undefined;
        continue;
      }
      queue.push(slot);
    }
    drain(ctx, requester);
  });
}
