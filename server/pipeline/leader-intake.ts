import type { ForwardedRequest } from "../gen/paddock/internal/v1/peer.js";
import { passwordMatches, type SessionTable } from "../sessions/index.js";
import type { Prep, TxnBody } from "../tree/prep.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineContext } from "./context.js";
import { diskRefusal } from "./disk-refusal.js";
import { isWrite } from "./op-kinds.js";
import { toApiError } from "./replies.js";
import { buildWrite, NOOP, type WriteInput } from "./write-ops.js";

const NO_PASSWORD = new Uint8Array(0);

/**
 * The leader's side of forwarding: a follower's request is prepped here against the tree plus the
 * outstanding changes, exactly as a local one, and proposed with the follower as its origin. The
 * follower answers its client when it applies the transaction; a refusal goes back at once.
 */
export function acceptForwarded(ctx: PipelineContext, from: number, f: ForwardedRequest): void {
  const { prep, sessions, clock, replica } = ctx.deps;
  const origin = { member: from, ref: f.ref };
  let zxid = 0;
  try {
    const kind = f.kind;
    switch (kind?.$case) {
      case "request": {
        const op = kind.value.op;
        if (op === undefined || !isWrite(op))
          throw PaddockError.badArguments("", "forwarded request is not a write");
        // The leader logs every write first: its own low disk refuses followers' writes too.
        const diskLow = diskRefusal(ctx.deps, op);
        if (diskLow !== undefined) throw diskLow;
        // A session local to the origin member is in no table here: that member vouches it is
        // live. A session this table knows keeps the closed-session check, whatever the flag.
        const local = f.localSession && sessions.get(f.sessionId) === undefined;
        if (!local) {
          refuseClosedSession(sessions, f.sessionId);
          refuseMoved(ctx, f.sessionId, from);
        }
        const write: WriteInput = {
          sessionId: f.sessionId,
          ids: f.ids,
          now: clock(),
          ephemeralAllowed: f.ephemeralAllowed,
          localSession: local ? "forwarded" : undefined,
          prep,
          op,
          barrier: false,
          reconfig: ctx.reconfig,
        };
        zxid = ctx.proposer.propose(f.sessionId, kind.value.xid, buildWrite, write, undefined, origin);
        break;
      }
      case "createSession": {
        ctx.owners.set(f.sessionId, from);
        const input = { prep, timeoutMs: kind.value.timeoutMs, password: kind.value.password };
        zxid = ctx.proposer.propose(f.sessionId, 0, buildCreateSession, input, undefined, origin);
        break;
      }
      case "barrier":
        if (kind.value.revalidate) {
          ctx.counters.requests.revalidations++;
          // A resume through the origin member: a live session moves there. The origin judges
          // the session once this noop has applied there, so a close proposed before it has
          // applied by then (no "expired" for a close that a lost leader never committed), and
          // an unknown id leaves nothing here.
          const session = sessions.get(f.sessionId);
          const password = kind.value.password ?? NO_PASSWORD;
          if (session !== undefined && !session.closing && passwordMatches(session.password, password))
            ctx.owners.set(f.sessionId, from);
        } else if (!f.localSession) refuseMoved(ctx, f.sessionId, from);
        zxid = ctx.proposer.propose(f.sessionId, 0, buildNoop, undefined, undefined, origin);
        break;
      default:
        throw PaddockError.badArguments("", "forwarded request without a kind");
    }
  } catch (error) {
    replica.sendTo(from, {
      kind: { $case: "forwardReply", value: { ref: f.ref, error: toApiError(error) } },
    });
    return;
  }
  if (f.trace !== undefined) ctx.tracing?.proposedForwarded(zxid, from, f.trace);
}

/**
 * The leader's check before it preps a write of a session (ZooKeeper's checkSession): a session
 * that is gone, or whose close is proposed or whose expiry is under way, takes no more writes,
 * whichever member the request came through. Prepped after the close, an ephemeral create would
 * commit after it and outlive its session.
 */
export function refuseClosedSession(sessions: SessionTable, sessionId: bigint): void {
  if (sessionId === 0n) return;
  const session = sessions.get(sessionId);
  if (session === undefined || session.closing)
    throw new PaddockError(Code.SessionExpired, "", `session 0x${sessionId.toString(16)} expired`);
}

/** A session's request through a member that no longer holds it (ZooKeeper's SessionMovedException). */
function refuseMoved(ctx: PipelineContext, sessionId: bigint, from: number): void {
  // Only sessions in the leader's table have owners: the map stays bounded by the live sessions.
  if (ctx.deps.sessions.get(sessionId) === undefined || ctx.owners.claim(sessionId, from)) return;
  throw new PaddockError(
    Code.SessionMoved,
    "",
    `session 0x${sessionId.toString(16)} moved to another member: this connection is stale`,
  );
}

function buildNoop(): TxnBody {
  return NOOP;
}

/** A session's CreateSession body; the password travels in the transaction. */
export function buildCreateSession(
  zxid: number,
  s: { prep: Prep; timeoutMs: number; password: Uint8Array },
): TxnBody {
  return s.prep.createSession(s.timeoutMs, s.password, zxid);
}
