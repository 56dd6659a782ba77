import type { ForwardedRequest } from "../gen/paddock/internal/v1/peer.js";
import type { PrepContext, TxnBody } from "../tree/prep.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { isWrite } from "./op-kinds.js";
import type { Pipeline } from "./pipeline.js";
import { toApiError } from "./replies.js";
import { Requester } from "./requester.js";
import { prepareWrite } from "./write-ops.js";

/**
 * The leader's side of forwarding: a follower's request is prepped here against the tree plus the
 * outstanding changes, exactly as a local one, and proposed with the follower as its origin. The
 * follower answers its client when it applies the transaction; a refusal goes back at once.
 */
export function acceptForwarded(pipeline: Pipeline, from: number, f: ForwardedRequest): void {
  try {
    pipeline.assertWritable();
    const { prep, sessions, clock } = pipeline.deps;
    const zxid = pipeline.node.peekZxid();
    let body: TxnBody;
    let cxid = 0;
    const kind = f.kind;
    switch (kind?.$case) {
      case "request": {
        const op = kind.value.op;
        cxid = kind.value.xid;
        if (op === undefined || !isWrite(op))
          throw PaddockError.badArguments("", "forwarded request is not a write");
        const session = f.sessionId === 0n ? undefined : sessions.get(f.sessionId);
        if (f.sessionId !== 0n && (session === undefined || session.closing)) {
          // Expired here first (the leader owns expiry): nothing may be created for it any more.
          throw new PaddockError(Code.SessionExpired, "", `session 0x${f.sessionId.toString(16)} expired`);
        }
        const requester = new Requester(f.sessionId, [...f.ids], undefined);
        const ctx: PrepContext = {
          sessionId: f.sessionId,
          ids: requester.ids,
          now: clock(),
          ephemeralAllowed: f.ephemeralAllowed,
        };
        body = prepareWrite(prep, requester, op, ctx, zxid);
        break;
      }
      case "createSession":
        body = prep.createSession(kind.value.timeoutMs, kind.value.password, zxid);
        break;
      case "barrier":
        body = { $case: "noop", value: {} };
        break;
      default:
        throw PaddockError.badArguments("", "forwarded request without a kind");
    }
    pipeline.propose(f.sessionId, cxid, body, zxid, undefined, from, f.ref);
  } catch (error) {
    pipeline.deps.replica.sendTo(from, {
      kind: { $case: "forwardReply", value: { ref: f.ref, error: toApiError(error) } },
    });
  }
}
