import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineContext } from "./context.js";
import { diskRefusal } from "./disk-refusal.js";
import { type Op, opPath } from "./op-kinds.js";
import type { Requester } from "./requester.js";

/** Why a request is answered at once instead of queued: a closing session, no leader, a limit. */
export function refusal(ctx: PipelineContext, requester: Requester, op: Op): PaddockError | undefined {
  const limits = ctx.options.limits;
  const path = opPath(op);
  if (requester.closing) return new PaddockError(Code.SessionExpired, path, "session is closing");
  const schemes = ctx.options.enforceAuthSchemes;
  if (
    schemes !== undefined &&
    op.$case !== "addAuth" &&
    !requester.ids.some((id) => schemes.includes(id.scheme))
  ) {
    // ZooKeeper's enforceAuthentication: refused, and drain closes the connection after this reply.
    const held = [...new Set(requester.ids.map((id) => id.scheme))].join(", ");
    return new PaddockError(
      Code.SessionClosedRequireSaslAuth,
      path,
      `enforce.auth.schemes is ${schemes.join(", ")} and this session holds ${held || "no scheme"}: authenticate first; the connection closes`,
    );
  }
  if (!ctx.member.serving) {
    return new PaddockError(
      Code.ConnectionLoss,
      path,
      "this member is not serving: no leader (election running)",
    );
  }
  const diskLow = diskRefusal(ctx.deps, op);
  if (diskLow !== undefined) return diskLow;
  if (ctx.counters.outstanding >= limits.outstandingGlobalMax) {
    return new PaddockError(
      Code.Throttled,
      path,
      `outstandingGlobalMax ${limits.outstandingGlobalMax} reached`,
    );
  }
  if (requester.queue.length >= limits.outstandingPerSessionMax) {
    const max = limits.outstandingPerSessionMax;
    return new PaddockError(Code.Throttled, path, `outstandingPerSessionMax ${max} reached`);
  }
  return undefined;
}
