import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineDeps } from "./context.js";
import { isWrite, type Op, opPath } from "./op-kinds.js";

/**
 * A client's write refused while this member's disk is below its floor (docs/OPERATIONS.md "How
 * disk space is managed"). NotReadOnly is ZooKeeper's answer to a write sent to a read-only
 * server, and that is what the member is now: ZooKeeper's clients raise it for that one request
 * and keep the session, and reads go on. Session closes still pass (a close frees ephemerals and
 * the log record is small), as do session creation, expiry and sync, which never come here.
 */
export function diskRefusal(deps: PipelineDeps, op: Op): PaddockError | undefined {
  if (deps.writesRefused === undefined || op.$case === "close" || !isWrite(op)) return undefined;
  const reason = deps.writesRefused();
  return reason === undefined ? undefined : new PaddockError(Code.NotReadOnly, opPath(op), reason);
}
