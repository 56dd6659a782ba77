import type { ForwardedRequest } from "../gen/paddock/internal/v1/peer.js";
import type { PrepContext, TxnBody } from "../tree/prep.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineContext } from "./context.js";
import { isWrite } from "./op-kinds.js";
import { toApiError } from "./replies.js";
import { prepareWrite } from "./write-ops.js";

/**
 * The leader's side of forwarding: a follower's request is prepped here against the tree plus the
 * outstanding changes, exactly as a local one, and proposed with the follower as its origin. The
 * follower answers its client when it applies the transaction; a refusal goes back at once.
 */
export function acceptForwarded(ctx: PipelineContext, from: number, f: ForwardedRequest): void {
  const { prep, sessions, clock, replica } = ctx.deps;
  try {
    let build: (zxid: number) => TxnBody;
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
        const prepContext: PrepContext = {
          sessionId: f.sessionId,
          ids: f.ids,
          now: clock(),
          ephemeralAllowed: f.ephemeralAllowed,
        };
        build = (zxid) => prepareWrite(prep, op, prepContext, zxid);
        break;
      }
      case "createSession": {
        const { timeoutMs, password } = kind.value;
        build = (zxid) => prep.createSession(timeoutMs, password, zxid);
        break;
      }
      case "barrier":
        build = () => ({ $case: "noop", value: {} });
        break;
      default:
        throw PaddockError.badArguments("", "forwarded request without a kind");
    }
    ctx.proposer.propose(f.sessionId, cxid, build, undefined, { member: from, ref: f.ref });
  } catch (error) {
    replica.sendTo(from, {
      kind: { $case: "forwardReply", value: { ref: f.ref, error: toApiError(error) } },
    });
  }
}
