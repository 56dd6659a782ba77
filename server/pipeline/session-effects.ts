import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import { applySessionTxn } from "../sessions/index.js";
import { Code } from "../util/error-code.js";
import type { PipelineContext } from "./context.js";
import { okReply } from "./replies.js";
import type { Requester, Slot } from "./requester.js";

const SESSION_EVENT_EXPIRED = 3;

/**
 * The session part of an applied transaction on every member: the session table changes, and a
 * closed session ends (endSession). A CreateSession of a session local here is its upgrade: from
 * now on it is global and no longer this member's alone (ZooKeeper's commitSession).
 */
export function applySessionEffects(ctx: PipelineContext, txn: Txn, ownRequest: boolean): void {
  const { sessions, clock } = ctx.deps;
  applySessionTxn(txn, sessions, clock());
  const kind = txn.body?.$case;
  if (kind === "createSession") ctx.localSessions?.remove(txn.sessionId);
  if (kind === "closeSession") {
    ctx.owners.delete(txn.sessionId);
    endSession(ctx, txn.sessionId, ownRequest);
  }
}

/**
 * A session is gone (closed or expired): its watches go, and the member holding its connection
 * ends it; unless the close was the client's own request, it first tells the client its session
 * expired.
 */
export function endSession(ctx: PipelineContext, sessionId: bigint, ownRequest: boolean): void {
  ctx.deps.watches.removeSession(sessionId);
  const requester = ctx.local.get(sessionId);
  if (requester === undefined) return;
  ctx.local.delete(sessionId);
  requester.closing = true;
  if (ownRequest) return;
  requester.sink?.send({
    kind: {
      $case: "sessionEvent",
      value: {
        state: SESSION_EVENT_EXPIRED,
        error: { code: Code.SessionExpired, path: "", message: "session expired" },
      },
    },
  });
  requester.sink?.end();
  requester.sink = undefined;
}

/**
 * A local session's own close: no transaction (it owns no ephemeral), answered in its slot, which
 * leaves after the session's earlier requests (ZooKeeper's closeSession of a local session).
 */
export function closeLocalSession(ctx: PipelineContext, requester: Requester, slot: Slot): void {
  ctx.localSessions?.remove(requester.sessionId);
  endSession(ctx, requester.sessionId, true);
  slot.reply = okReply(slot.request.xid, ctx.counters.appliedZxid, { $case: "close", value: {} });
}

/** Local sessions past their deadline end here, with no transaction: only this member knew them. */
export function expireLocalSessions(ctx: PipelineContext): void {
  const tracker = ctx.localSessions;
  if (tracker === undefined || tracker.size === 0) return;
  for (const sessionId of tracker.expire(ctx.deps.clock())) {
    ctx.deps.log("info", `expiring local session 0x${BigInt.asUintN(64, sessionId).toString(16)}`);
    endSession(ctx, sessionId, false);
  }
}
