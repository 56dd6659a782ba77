import { describe, expect, it } from "vitest";
import type { Compare } from "../../../server/gen/paddock/v1/data.js";
import { CompareOp, compareHolds, Target, validateCompare } from "../../../server/tree/compare.js";
import type { PrepNode } from "../../../server/tree/outstanding.js";
import { Code } from "../../../server/util/error-code.js";
import type { PaddockError } from "../../../server/util/paddock-error.js";

// A compare-transaction's conditions: each refusal's exact message (naming the condition, its path
// and what was wrong), the boundaries of what is accepted, and the values each target reads.

const cmp = (target: number, op: number, value: bigint, path = "/x"): Compare => ({
  path,
  target,
  op,
  value,
});

function refusal(c: Compare, index: number): PaddockError {
  try {
    validateCompare(c, index);
  } catch (e) {
    return e as PaddockError;
  }
  throw new Error("validateCompare accepted it");
}

describe("validateCompare", () => {
  it("accepts every target from Exists to DataLength with each operator", () => {
    for (let target = Target.Version; target <= Target.DataLength; target++) {
      for (const op of [CompareOp.Equal, CompareOp.NotEqual, CompareOp.Less, CompareOp.Greater]) {
        expect(() => validateCompare(cmp(target, op, -5n), 0)).not.toThrow();
      }
    }
    for (const op of [CompareOp.Equal, CompareOp.NotEqual]) {
      for (const value of [0n, 1n])
        expect(() => validateCompare(cmp(Target.Exists, op, value), 0)).not.toThrow();
    }
  });

  it("refuses targets outside 1..10 and non-integers, naming the condition, path and target", () => {
    for (const [target, shown] of [
      [0, "0"],
      [11, "11"],
      [-1, "-1"],
      [2.5, "2.5"],
      [Number.NaN, "NaN"],
    ] as const) {
      const e = refusal(cmp(target, CompareOp.Equal, 0n, "/a/b"), 3);
      expect([e.code, e.path, e.message]).toEqual([
        Code.BadArguments,
        "/a/b",
        `BadArguments for /a/b: compare 3 on /a/b: unknown target ${shown}`,
      ]);
    }
  });

  it("refuses operators other than 1..4", () => {
    for (const op of [0, 5, -1]) {
      expect(refusal(cmp(Target.Version, op, 0n), 1).message).toBe(
        `BadArguments for /x: compare 1 on /x: unknown operator ${op}`,
      );
    }
  });

  it("existence takes = or != only, and the value 0 or 1 only", () => {
    const why = (shown: string) =>
      `BadArguments for /x: compare 2 on /x: existence takes = or != and the value 1 or 0, got ${shown}`;
    expect(refusal(cmp(Target.Exists, CompareOp.Less, 1n), 2).message).toBe(why("< 1"));
    expect(refusal(cmp(Target.Exists, CompareOp.Greater, 0n), 2).message).toBe(why("> 0"));
    expect(refusal(cmp(Target.Exists, CompareOp.Equal, 2n), 2).message).toBe(why("= 2"));
    expect(refusal(cmp(Target.Exists, CompareOp.NotEqual, -1n), 2).message).toBe(why("!= -1"));
    expect(refusal(cmp(Target.Exists, CompareOp.Equal, 2n), 2).code).toBe(Code.BadArguments);
  });
});

describe("compareHolds", () => {
  const node: PrepNode = {
    version: 1,
    childCreates: 2,
    aversion: 3,
    ephemeralOwner: -5n,
    numChildren: 1,
    acl: [],
    dataLength: 6,
    czxid: 7,
    mzxid: 8,
    pzxid: 9,
  };

  it("each target reads its own field (cversion as clients see it: 2 x 2 creates - 1 child)", () => {
    const expected: Array<[number, bigint]> = [
      [Target.Version, 1n],
      [Target.Cversion, 3n],
      [Target.Aversion, 3n],
      [Target.Czxid, 7n],
      [Target.Mzxid, 8n],
      [Target.Pzxid, 9n],
      [Target.NumChildren, 1n],
      [Target.EphemeralOwner, -5n],
      [Target.DataLength, 6n],
    ];
    for (const [target, value] of expected) {
      const holds = [value - 1n, value, value + 1n].map((v) =>
        compareHolds(node, cmp(target, CompareOp.Equal, v)),
      );
      expect([target, holds]).toEqual([target, [false, true, false]]);
    }
  });

  it("existence of a present node: = 1 and != 0 hold, = 0 and != 1 do not", () => {
    expect(compareHolds(node, cmp(Target.Exists, CompareOp.Equal, 1n))).toBe(true);
    expect(compareHolds(node, cmp(Target.Exists, CompareOp.NotEqual, 0n))).toBe(true);
    expect(compareHolds(node, cmp(Target.Exists, CompareOp.NotEqual, 1n))).toBe(false);
    expect(compareHolds(undefined, cmp(Target.Exists, CompareOp.Equal, 1n))).toBe(false);
    expect(compareHolds(undefined, cmp(Target.Exists, CompareOp.NotEqual, 0n))).toBe(false);
  });
});
