// decodeRequest: one request frame (RequestHeader + body) into a JuteRequest for the connection.
import type { SetWatches } from "../gen/paddock/v1/session.js";
import { readString, readStringVector } from "./data-records.js";
import { JuteDecodeError } from "./jute-decode-error.js";
import { JuteReader } from "./jute-reader.js";
import { readMultiOps, readMultiReadOps } from "./multi-records.js";
import { OpCode } from "./opcodes.js";
import { type Op, readSingleOp } from "./request-records.js";

export type { Op } from "./request-records.js";

/** ZooKeeper error codes a refusal uses (the same numbers as paddock.v1.ErrorCode). */
const BAD_ARGUMENTS = -8;

export type JuteRequest =
  /** Everything with a Paddock op. multiOpcodes: the multi's op types, for encodeReply. */
  | { kind: "op"; xid: number; opcode: number; op: Op; multiOpcodes?: number[] }
  | { kind: "ping"; xid: number }
  | { kind: "auth"; xid: number; scheme: string; auth: Buffer }
  /** GetSASLRequest: one token of a SASL exchange, answered by the door (ZooKeeper's processSasl). */
  | { kind: "sasl"; xid: number; token: Buffer }
  /** setWatches (101) has no persistent lists; setWatches2 (105) does. Reply xid is the request's (-8). */
  | { kind: "setWatches"; xid: number; opcode: number; watches: SetWatches }
  | { kind: "close"; xid: number }
  /** Answer header-only: OK if the session holds such a watch on path, else NoWatcher (-121). */
  | { kind: "checkWatches"; xid: number; path: string; type: number }
  /** Answer header-only with code; then close the connection if close is set. */
  | { kind: "refused"; xid: number; opcode: number; code: number; message: string; close: boolean }
  /** ZooKeeper answers Unimplemented (-6) header-only, then closes the connection. */
  | { kind: "unknown"; xid: number; opcode: number };

/**
 * Decodes a request frame (length prefix removed). A frame too short for the RequestHeader throws
 * JuteDecodeError without a header (close the connection); a malformed body throws one whose
 * `header` is set (ZooKeeper answers MarshallingError, -5, to that xid and keeps the connection;
 * closing is also safe). Trailing bytes after the body are ignored, as ZooKeeper ignores them.
 * Paths are not validated here: the pipeline does.
 */
export function decodeRequest(frame: Buffer): JuteRequest {
  const r = new JuteReader(frame);
  const xid = r.int("header.xid");
  const opcode = r.int("header.type");
  try {
    return decodeBody(r, xid, opcode);
  } catch (e) {
    if (e instanceof JuteDecodeError) throw new JuteDecodeError(e.message, { xid, opcode });
    throw e;
  }
}

function decodeBody(r: JuteReader, xid: number, opcode: number): JuteRequest {
  const op = readSingleOp(r, opcode);
  if (op !== undefined) return { kind: "op", xid, opcode, op };
  switch (opcode) {
    case OpCode.multi: {
      const { ops, opcodes } = readMultiOps(r);
      return { kind: "op", xid, opcode, op: { $case: "multi", value: { ops } }, multiOpcodes: opcodes };
    }
    case OpCode.multiRead:
      return { kind: "op", xid, opcode, op: { $case: "multiRead", value: { ops: readMultiReadOps(r) } } };
    case OpCode.ping:
      return { kind: "ping", xid };
    case OpCode.closeSession:
      return { kind: "close", xid };
    case OpCode.auth: {
      r.int("auth.type"); // unused by ZooKeeper too
      const scheme = readString(r, "auth.scheme");
      return { kind: "auth", xid, scheme, auth: r.buffer("auth.auth") ?? Buffer.alloc(0) };
    }
    case OpCode.setWatches:
    case OpCode.setWatches2:
      return { kind: "setWatches", xid, opcode, watches: readSetWatches(r, opcode === OpCode.setWatches2) };
    case OpCode.checkWatches: {
      const path = readString(r, "checkWatches.path");
      return { kind: "checkWatches", xid, path, type: r.int("checkWatches.type") };
    }
    case OpCode.sasl:
      return { kind: "sasl", xid, token: r.buffer("sasl.token") ?? Buffer.alloc(0) };
    case OpCode.deleteContainer:
      // The container reaper's op. ZooKeeper 3.8 answers a client's BadArguments and keeps the
      // connection (a run against it); 3.9 would run it without an ACL check, which Paddock
      // does not offer: its own reaper removes empty containers.
      return refused(xid, opcode, BAD_ARGUMENTS, "deleteContainer is internal to the server", false);
    default:
      // Includes a standalone check (13): ZooKeeper 3.9 forbids check outside multi
      // (ZOOKEEPER-2623: Request.isValid is false, so Unimplemented and close).
      return { kind: "unknown", xid, opcode };
  }
}

function refused(xid: number, opcode: number, code: number, message: string, close: boolean): JuteRequest {
  return { kind: "refused", xid, opcode, code, message, close };
}

function readSetWatches(r: JuteReader, persistent: boolean): SetWatches {
  const list = (field: string) => readStringVector(r, field) ?? [];
  return {
    relativeZxid: r.long("setWatches.relativeZxid"),
    dataWatches: list("setWatches.dataWatches"),
    existWatches: list("setWatches.existWatches"),
    childWatches: list("setWatches.childWatches"),
    persistentWatches: persistent ? list("setWatches.persistentWatches") : [],
    persistentRecursiveWatches: persistent ? list("setWatches.persistentRecursiveWatches") : [],
  };
}
