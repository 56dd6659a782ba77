import { map, type OperatorFunction } from "rxjs";
import type { Request } from "../gen/paddock/v1/session.js";
import { AssertionError } from "../util/assert.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineContext } from "./context.js";
import type { ForwardKind, Waiter } from "./forwarder.js";
import { refuseClosedSession } from "./leader-intake.js";
import { heldForUpgrade } from "./local-session-upgrade.js";
import { isLinearizable, isWrite, opPath } from "./op-kinds.js";
import { refusal } from "./refusal.js";
import { errorReply, okReply } from "./replies.js";
import type { Requester, Slot } from "./requester.js";
import { closeLocalSession } from "./session-effects.js";
import { drain } from "./session-queue.js";
import { startRequestSpan } from "./tracing.js";
import { buildWrite, type WriteInput } from "./write-ops.js";

/** One connection's requests of one event-loop turn, in arrival order. */
export interface Batch {
  readonly requester: Requester;
  readonly requests: readonly Request[];
}

/** A barrier slot waits for its noop transaction to apply (sync and linearizable reads). */
const BARRIER_PENDING = Number.POSITIVE_INFINITY;

/**
 * The intake stages, request by request in arrival order within one batch (one operator call
 * per batch): admit → prepAndPropose → enqueue. A request goes through all three before the next
 * is admitted, so a read at the head of its queue is answered, and stops counting as
 * outstanding, before the limits are checked for the next one.
 */
export function intake(ctx: PipelineContext): OperatorFunction<Batch, void> {
  const now = ctx.deps.monotonicMs ?? ctx.deps.clock;
  return map(({ requester, requests }) => {
    if (ctx.member.leading && movedAway(ctx, requester)) return;
    // One clock read per batch: its requests arrived in the same event-loop turn.
    const arrivedMs = now();
    for (const request of requests) {
      if (ctx.localSessions !== undefined && heldForUpgrade(ctx, requester, request)) continue;
      let slot: Slot;
      try {
        slot = admit(ctx, requester, request, arrivedMs);
        prepAndPropose(ctx, requester, slot);
      } catch (error) {
        if (error instanceof AssertionError) throw error;
        ctx.deps.log(
          "error",
          `request xid ${request.xid} failed: ${error instanceof Error ? error.stack : error}`,
        );
        const reply = errorReply(request.xid, ctx.counters.appliedZxid, error);
        slot = answered(ctx, requester, request, reply, arrivedMs);
      }
      enqueue(ctx, requester, slot);
    }
  });
}

/**
 * On the leader, every request of a session is checked against its owner, as ZooKeeper's
 * checkSession: a session resumed through another member since has moved, and this connection is
 * closed without an answer (ZooKeeper's SessionMoved closes it too).
 */
function movedAway(ctx: PipelineContext, requester: Requester): boolean {
  const sessionId = requester.sessionId;
  // Only sessions in the leader's table have owners (a local session is in none; a closed one is
  // refused by the closed-session check): the map stays bounded by the live sessions.
  if (!requester.isSession || ctx.deps.sessions.get(sessionId) === undefined) return false;
  if (ctx.owners.claim(sessionId, ctx.deps.replica.node.serverId)) return false;
  closeMoved(requester);
  return true;
}

/** The connection of a session that moved to another member ends; the session lives on there. */
export function closeMoved(requester: Requester): void {
  requester.sink?.end();
  requester.sink = undefined;
}

/**
 * Admit: a slot for the request. A refusal (closing session, no leader, a limit) is answered in
 * the slot at once; auth applies on arrival, so later requests are checked with it and earlier
 * ones keep the identities they came with; a close marks the session closing.
 */
function admit(ctx: PipelineContext, requester: Requester, request: Request, arrivedMs: number): Slot {
  const { counters, deps } = ctx;
  const op = request.op;
  counters.received++;
  if (requester.isSession) ctx.upkeep.touched(requester.sessionId);
  const refused =
    op === undefined
      ? PaddockError.badArguments("", `request xid ${request.xid} has no op`)
      : refusal(ctx, requester, op);
  if (refused !== undefined)
    return answered(
      ctx,
      requester,
      request,
      errorReply(request.xid, counters.appliedZxid, refused),
      arrivedMs,
    );
  const slot: Slot = {
    request,
    ids: requester.ids,
    reply: undefined,
    barrier: 0,
    deadline: request.timeoutMs > 0 ? deps.clock() + request.timeoutMs : 0,
    span: deps.tracer ? startRequestSpan(deps.tracer, request, op!, requester.sessionId) : undefined,
    arrivedMs,
  };
  counters.outstanding++;
  if (op!.$case === "addAuth") {
    try {
      requester.addIds(deps.authenticate(op!.value.scheme, op!.value.auth));
      slot.reply = okReply(request.xid, counters.appliedZxid, { $case: "addAuth", value: {} });
    } catch (error) {
      counters.requests.authFailed++;
      slot.reply = errorReply(request.xid, counters.appliedZxid, error);
    }
  } else if (op!.$case === "close") {
    requester.closing = true;
  } else if (isLinearizable(op!)) {
    slot.barrier = BARRIER_PENDING;
  }
  return slot;
}

/** A refused request's slot: answered already, it leaves in its turn. */
function answered(
  ctx: PipelineContext,
  requester: Requester,
  request: Request,
  reply: Slot["reply"],
  arrivedMs: number,
): Slot {
  ctx.counters.outstanding++;
  return { request, ids: requester.ids, reply, barrier: 0, deadline: 0, span: undefined, arrivedMs };
}

/**
 * Prep and propose: a write (or a barrier's noop) is prepped against the tree plus the outstanding
 * changes and proposed at once on the leader; elsewhere it is forwarded to the leader.
 */
function prepAndPropose(ctx: PipelineContext, requester: Requester, slot: Slot): void {
  if (slot.reply !== undefined) return;
  const op = slot.request.op!;
  const barrier = slot.barrier !== 0;
  if (!barrier && !isWrite(op)) return;
  // A session local to this member (localSessionsEnabled): unknown to the leader's session table.
  const local = ctx.localSessions?.has(requester.sessionId) === true;
  if (local && op.$case === "close") {
    closeLocalSession(ctx, requester, slot);
    return;
  }
  const waiter: Waiter = { requester, slot, barrier, onApplied: undefined, onFailed: undefined };
  try {
    if (!ctx.member.leading) {
      const kind: ForwardKind = barrier
        ? { $case: "barrier", value: {} }
        : { $case: "request", value: slot.request };
      const span = slot.span;
      const carried = span && ctx.tracing?.forwarding(span, ctx.deps.replica.view.leaderId);
      ctx.forwarder.forward(waiter, kind, requester.sessionId, opPath(op), carried, local);
      return;
    }
    // The session table, not only this connection's requester: the session's close may have come
    // through a follower, or through its previous connection here.
    if (!barrier && !local) refuseClosedSession(ctx.deps.sessions, requester.sessionId);
    const write: WriteInput = {
      sessionId: requester.sessionId,
      ids: slot.ids,
      now: ctx.deps.clock(),
      ephemeralAllowed: requester.isSession,
      localSession: local ? "own" : undefined,
      prep: ctx.deps.prep,
      op,
      barrier,
      reconfig: ctx.reconfig,
    };
    const zxid = ctx.proposer.propose(requester.sessionId, slot.request.xid, buildWrite, write, waiter);
    if (slot.span !== undefined) {
      slot.span.addEvent("prepped");
      ctx.tracing?.proposedLocal(zxid, slot.span);
    }
  } catch (error) {
    slot.barrier = 0;
    slot.reply = errorReply(slot.request.xid, ctx.counters.appliedZxid, error);
  }
}

/**
 * Into the session's FIFO queue; whatever is answered at the head (and the reads that reach it)
 * leaves now. A client that keeps sending past Throttled answers has its connection closed, as
 * ZooKeeper closes an overloaded connection; the session survives and may resume.
 */
function enqueue(ctx: PipelineContext, requester: Requester, slot: Slot): void {
  const queue = requester.queue;
  if (slot.reply !== undefined && queue.length >= 2 * ctx.options.limits.outstandingPerSessionMax) {
    ctx.counters.outstanding--;
    requester.sink?.end();
    requester.sink = undefined;
    return;
  }
  queue.push(slot);
  drain(ctx, requester);
}
