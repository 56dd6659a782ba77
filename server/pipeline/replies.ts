import type { Error as ApiError } from "../gen/paddock/v1/data.js";
import type { Reply } from "../gen/paddock/v1/session.js";
import type { ApplyOutcome } from "../tree/data-tree.js";
import type { CodeValue } from "../util/error-code.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";

export type ReplyResult = Reply["result"];

export function okReply(xid: number, zxid: number, result: ReplyResult): Reply {
  return { xid, zxid: BigInt(zxid), error: undefined, result };
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof PaddockError) return { code: error.code, path: error.path, message: error.message };
  // Anything else is a bug in the server; the request fails, the server keeps serving.
  const message = error instanceof Error ? error.message : String(error);
  return { code: Code.SystemError, path: "", message: `internal error: ${message}` };
}

export function errorReply(xid: number, zxid: number, error: unknown, result?: ReplyResult): Reply {
  return { xid, zxid: BigInt(zxid), error: toApiError(error), result };
}

/** The reply for an applied transaction, from what the tree says happened. */
export function outcomeReply(xid: number, outcome: ApplyOutcome): Reply {
  const result = outcome.result;
  let replyResult: ReplyResult;
  switch (result.$case) {
    case "session":
      replyResult = { $case: "close", value: {} };
      break;
    case "none":
    case "check":
      replyResult = undefined;
      break;
    default:
      replyResult = result as ReplyResult;
  }
  if (outcome.code !== Code.OK) {
    return errorReply(
      xid,
      outcome.zxid,
      new PaddockError(outcome.code as CodeValue, outcome.path, outcome.message),
      result.$case === "multi" || result.$case === "txn" ? replyResult : undefined,
    );
  }
  return okReply(xid, outcome.zxid, replyResult);
}
