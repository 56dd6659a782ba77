import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { auditLinesOf } from "./audit.js";
import type { PipelineContext } from "./context.js";
import type { Waiter } from "./forwarder.js";
import { isWrite, type Op, opPath } from "./op-kinds.js";
import { executeRead } from "./read-ops.js";
import { errorReply, okReply } from "./replies.js";
import type { Requester, Slot } from "./requester.js";

/**
 * Sends every answered slot at the head of a session's queue, running the reads that reach the
 * head (so they see the session's own earlier writes): FIFO per session by construction.
 */
export function drain(ctx: PipelineContext, requester: Requester): void {
  const queue = requester.queue;
  const counters = ctx.counters;
  const { audit, clock } = ctx.deps;
  const now = ctx.deps.monotonicMs ?? clock;
  // One clock read per drain, taken at the first reply: the replies of one drain leave together.
  let nowMs = -1;
  let sent = 0;
  while (sent < queue.length) {
    const slot = queue[sent]!;
    if (slot.reply === undefined) {
      const op = slot.request.op!;
      if (isWrite(op) || slot.barrier > counters.appliedZxid) break;
      runRead(ctx, requester, slot, op);
    }
    const reply = slot.reply!;
    sent++;
    counters.outstanding--;
    if (slot.span) {
      if (reply.error) slot.span.setAttribute("paddock.error", reply.error.message);
      slot.span.end();
    }
    counters.sent++;
    const op = slot.request.op;
    if (nowMs < 0) nowMs = now();
    counters.requests.record(op, nowMs - slot.arrivedMs);
    if (audit !== undefined && op !== undefined && isWrite(op)) {
      for (const line of auditLinesOf(requester.sessionId, slot.ids, slot.request, reply)) audit(line);
    }
    requester.sink?.send({ kind: { $case: "reply", value: reply } });
    if (reply.error?.code === Code.SessionClosedRequireSaslAuth) {
      // As ZooKeeper: the connection ends after the refusal; the session stays until it expires.
      requester.sink?.end();
      requester.sink = undefined;
    }
  }
  if (sent > 0) queue.splice(0, sent);
}

function runRead(ctx: PipelineContext, requester: Requester, slot: Slot, op: Op): void {
  const xid = slot.request.xid;
  const zxid = ctx.counters.appliedZxid;
  if (slot.deadline !== 0 && ctx.deps.clock() > slot.deadline) {
    const error = new PaddockError(
      Code.RequestTimeout,
      opPath(op),
      `deadline of ${slot.request.timeoutMs} ms passed`,
    );
    slot.reply = errorReply(xid, zxid, error);
    return;
  }
  try {
    slot.reply = okReply(xid, zxid, executeRead(ctx.reads, requester, slot.ids, op));
  } catch (error) {
    slot.reply = errorReply(xid, zxid, error);
  }
}

/** A waiter whose transaction will not be applied for its client. */
export function failWaiter(ctx: PipelineContext, waiter: Waiter, error: PaddockError): void {
  waiter.onFailed?.(error);
  const slot = waiter.slot;
  if (slot === undefined) return;
  slot.barrier = 0;
  slot.reply = errorReply(slot.request.xid, ctx.counters.appliedZxid, error);
  drain(ctx, waiter.requester);
}
