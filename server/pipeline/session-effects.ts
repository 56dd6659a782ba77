import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import { applySessionTxn } from "../sessions/index.js";
import { Code } from "../util/error-code.js";
import type { PipelineContext } from "./context.js";

const SESSION_EVENT_EXPIRED = 3;

/**
 * The session part of an applied transaction on every member: the session table changes, and a
 * closed session's watches go. The member holding the session's connection ends it; unless the
 * close was the client's own request, it first tells the client its session expired.
 */
export function applySessionEffects(ctx: PipelineContext, txn: Txn, ownRequest: boolean): void {
  const { sessions, watches, clock } = ctx.deps;
  applySessionTxn(txn, sessions, clock());
  if (txn.body?.$case !== "closeSession") return;
  watches.removeSession(txn.sessionId);
  const requester = ctx.local.get(txn.sessionId);
  if (requester === undefined) return;
  ctx.local.delete(txn.sessionId);
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
