/**
 * Builders and result types for multi (atomic writes) and multiRead, as ZooKeeper's Op and
 * OpResult: `client.multi([op.create("/a"), op.check("/b", 3), op.delete("/c")])`.
 */
import type {
  Error as WireError,
  Op as WireOp,
  OpResult as WireOpResult,
  ReadOp as WireReadOp,
  ReadOpResult as WireReadOpResult,
} from "../gen/paddock/v1/data.js";
import { Consistency } from "../gen/paddock/v1/data.js";
import { errorFor, type PaddockError } from "./errors.js";
import { validatePath } from "./path.js";
import {
  type ACL,
  type CreateModeName,
  fromWireStat,
  isSequential,
  type Stat,
  toBuffer,
  toCreateMode,
  toWireAcl,
} from "./types.js";

export interface CreateOptions {
  mode?: CreateModeName | number;
  /** Empty or absent: world:anyone with all permissions. */
  acl?: readonly ACL[];
  /** ms, for the TTL modes. */
  ttl?: number;
}

/** One op of a multi, ready for the wire; `bytes` estimates its size. */
export interface Op {
  readonly wire: WireOp;
  readonly path: string;
  readonly bytes: number;
}

export const op = {
  create(path: string, data?: Uint8Array | string, options: CreateOptions = {}): Op {
    const mode = toCreateMode(options.mode);
    validatePath(path, isSequential(mode));
    const buf = toBuffer(data);
    const value = {
      path,
      data: buf,
      acl: toWireAcl(options.acl ?? []),
      mode,
      ttl: BigInt(options.ttl ?? 0),
    };
    return { wire: { op: { $case: "create", value } }, path, bytes: buf.length + path.length + 32 };
  },
  delete(path: string, version?: number): Op {
    validatePath(path);
    return {
      wire: { op: { $case: "delete", value: { path, version: anyVersion(version) } } },
      path,
      bytes: 32,
    };
  },
  setData(path: string, data: Uint8Array | string, version?: number): Op {
    validatePath(path);
    const buf = toBuffer(data);
    const value = { path, data: buf, version: anyVersion(version) };
    return { wire: { op: { $case: "setData", value } }, path, bytes: buf.length + path.length + 32 };
  },
  check(path: string, version?: number): Op {
    validatePath(path);
    return {
      wire: { op: { $case: "check", value: { path, version: anyVersion(version) } } },
      path,
      bytes: 32,
    };
  },
};

/** ZooKeeper's -1 means any version; on the wire that is an absent field. */
export function anyVersion(version: number | undefined): number | undefined {
  return version === undefined || version === -1 ? undefined : version;
}

export type OpResult =
  | { type: "create"; path: string; stat: Stat }
  | { type: "delete" }
  | { type: "setData"; stat: Stat }
  | { type: "check" }
  | { type: "error"; error: PaddockError };

export function fromWireError(error: WireError, path = ""): PaddockError {
  return errorFor(error.code, error.path || path, error.message);
}

export function fromWireOpResult(result: WireOpResult, path: string): OpResult {
  const r = result.result;
  switch (r?.$case) {
    case "create":
      return { type: "create", path: r.value.path, stat: fromWireStat(r.value.stat) };
    case "delete":
      return { type: "delete" };
    case "setData":
      return { type: "setData", stat: fromWireStat(r.value.stat) };
    case "check":
      return { type: "check" };
    case "error":
      return { type: "error", error: fromWireError(r.value, path) };
    default:
      return { type: "error", error: errorFor(-2, path, "multi result missing") };
  }
}

/** A multi's (or a txn branch's) results; on a failure throws its first failing op's error, results attached. */
export function multiResults(
  reply: { error?: WireError | undefined },
  wire: readonly WireOpResult[],
  ops: readonly Op[],
): OpResult[] {
  const results = wire.map((r, i) => fromWireOpResult(r, ops[i]?.path ?? ""));
  if (reply.error !== undefined) {
    const failed = results.find((r) => r.type === "error" && r.error.code !== 0 && r.error.code !== -2);
    const error = failed?.type === "error" ? failed.error : fromWireError(reply.error, ops[0]?.path ?? "");
    throw Object.assign(error, { results });
  }
  return results;
}

export interface ReadOp {
  readonly wire: WireReadOp;
  readonly path: string;
}

export const readOp = {
  getChildren(path: string): ReadOp {
    validatePath(path);
    const value = { path, watch: false, consistency: Consistency.CONSISTENCY_SEQUENTIAL };
    return { wire: { op: { $case: "getChildren", value } }, path };
  },
  getData(path: string): ReadOp {
    validatePath(path);
    const value = { path, watch: false, consistency: Consistency.CONSISTENCY_SEQUENTIAL };
    return { wire: { op: { $case: "getData", value } }, path };
  },
};

export type ReadOpResult =
  | { type: "getChildren"; children: string[]; stat: Stat }
  | { type: "getData"; data: Uint8Array; stat: Stat }
  | { type: "error"; error: PaddockError };

export function fromWireReadResult(result: WireReadOpResult, path: string): ReadOpResult {
  const r = result.result;
  switch (r?.$case) {
    case "getChildren":
      return { type: "getChildren", children: r.value.children, stat: fromWireStat(r.value.stat) };
    case "getData":
      return { type: "getData", data: r.value.data, stat: fromWireStat(r.value.stat) };
    case "error":
      return { type: "error", error: fromWireError(r.value, path) };
    default:
      return { type: "error", error: errorFor(-2, path, "multiRead result missing") };
  }
}
