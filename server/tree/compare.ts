import type { Compare } from "../gen/paddock/v1/data.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PrepNode } from "./outstanding.js";

/** paddock.v1.CompareTarget values (the tree may import only types from generated code). */
export const Target = {
  Exists: 1,
  Version: 2,
  Cversion: 3,
  Aversion: 4,
  Czxid: 5,
  Mzxid: 6,
  Pzxid: 7,
  NumChildren: 8,
  EphemeralOwner: 9,
  DataLength: 10,
} as const;

/** paddock.v1.CompareOp values. */
export const CompareOp = { Equal: 1, NotEqual: 2, Less: 3, Greater: 4 } as const;

const opNames: Record<number, string> = { 1: "=", 2: "!=", 3: "<", 4: ">" };

/** A condition's target, op and value, checked before anything is evaluated. Throws BadArguments. */
export function validateCompare(c: Compare, index: number): void {
  if (!Number.isInteger(c.target) || c.target < Target.Exists || c.target > Target.DataLength) {
    throw PaddockError.badArguments(c.path, `compare ${index} on ${c.path}: unknown target ${c.target}`);
  }
  const op = opNames[c.op];
  if (op === undefined) {
    throw PaddockError.badArguments(c.path, `compare ${index} on ${c.path}: unknown operator ${c.op}`);
  }
  if (c.target === Target.Exists && ((op !== "=" && op !== "!=") || (c.value !== 0n && c.value !== 1n))) {
    throw PaddockError.badArguments(
      c.path,
      `compare ${index} on ${c.path}: existence takes = or != and the value 1 or 0, got ${op} ${c.value}`,
    );
  }
}

/** The cversion clients see: child creates plus child deletes. */
function cversion(node: PrepNode): number {
  return (Math.imul(node.childCreates, 2) - node.numChildren) | 0;
}

function field(node: PrepNode, target: number): bigint {
  switch (target) {
    case Target.Version:
      return BigInt(node.version);
    case Target.Cversion:
      return BigInt(cversion(node));
    case Target.Aversion:
      return BigInt(node.aversion);
    case Target.Czxid:
      return BigInt(node.czxid);
    case Target.Mzxid:
      return BigInt(node.mzxid);
    case Target.Pzxid:
      return BigInt(node.pzxid);
    case Target.NumChildren:
      return BigInt(node.numChildren);
    case Target.EphemeralOwner:
      return node.ephemeralOwner;
    default:
      return BigInt(node.dataLength);
  }
}

/**
 * Does the condition hold for node (undefined: no such node)? Existence compares presence (1) or
 * absence (0); any other target of a missing node is false whatever the operator, as a missing
 * node has no stat to compare.
 */
export function compareHolds(node: PrepNode | undefined, c: Compare): boolean {
  const actual = c.target === Target.Exists ? (node === undefined ? 0n : 1n) : undefined;
  if (actual === undefined && node === undefined) return false;
  const value = actual ?? field(node!, c.target);
  switch (c.op) {
    case CompareOp.Equal:
      return value === c.value;
    case CompareOp.NotEqual:
      return value !== c.value;
    case CompareOp.Less:
      return value < c.value;
    default:
      return value > c.value;
  }
}
