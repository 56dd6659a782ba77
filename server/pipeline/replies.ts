import type { Error as ApiError } from "../gen/paddock/v1/data.js";
import type { Reply } from "../gen/paddock/v1/session.js";
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
