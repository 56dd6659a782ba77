/**
 * Compare-transactions (a Paddock extension, etcd's Txn on a tree): conditions on Stat fields,
 * then one branch or the other, atomically:
 * `client.txn({ compare: [compare("/cfg", "mzxid", "=", seen)], thenOps: [op.setData("/cfg", v)] })`.
 */
import type { TxnRequest, Compare as WireCompare } from "../gen/paddock/v1/data.js";
import type { Op, OpResult } from "./ops.js";
import { validatePath } from "./path.js";

const targets = {
  exists: 1,
  version: 2,
  cversion: 3,
  aversion: 4,
  czxid: 5,
  mzxid: 6,
  pzxid: 7,
  numChildren: 8,
  ephemeralOwner: 9,
  dataLength: 10,
} as const;

const operators = { "=": 1, "!=": 2, "<": 3, ">": 4 } as const;

export type CompareTargetName = keyof typeof targets;
export type CompareOpName = keyof typeof operators;

export interface Compare {
  readonly wire: WireCompare;
  readonly path: string;
}

/**
 * `<target of path> <op> value`. exists takes true/false with = or !=; on a missing node every
 * other target is false, whatever the operator.
 */
export function compare(
  path: string,
  target: CompareTargetName,
  op: CompareOpName,
  value: number | bigint | boolean,
): Compare {
  validatePath(path);
  const t = targets[target];
  const o = operators[op];
  if (t === undefined) throw new RangeError(`unknown compare target ${String(target)}`);
  if (o === undefined) throw new RangeError(`unknown compare operator ${String(op)}`);
  if (typeof value === "number" && !Number.isInteger(value))
    throw new RangeError(`compare value ${value} for ${path} must be an integer`);
  return { wire: { path, target: t, op: o, value: BigInt(value) }, path };
}

export interface TxnSpec {
  compare: readonly Compare[];
  thenOps?: readonly Op[];
  elseOps?: readonly Op[];
}

export interface TxnResult {
  /** Every condition held: the then-ops ran; otherwise the else-ops did. */
  succeeded: boolean;
  /** One per op of the branch that ran. */
  results: OpResult[];
}

export function txnRequest(spec: TxnSpec): { value: TxnRequest; bytes: number } {
  const ops = [...(spec.thenOps ?? []), ...(spec.elseOps ?? [])];
  return {
    value: {
      compare: spec.compare.map((c) => c.wire),
      thenOps: (spec.thenOps ?? []).map((o) => o.wire),
      elseOps: (spec.elseOps ?? []).map((o) => o.wire),
    },
    bytes: ops.reduce((n, o) => n + o.bytes, 16) + spec.compare.reduce((n, c) => n + c.path.length + 24, 0),
  };
}
