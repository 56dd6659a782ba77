import { describe, expect, it } from "vitest";
import type { Compare, Op } from "../../../server/gen/paddock/v1/data.js";
import { CompareOp, compareHolds, Target, validateCompare } from "../../../server/tree/compare.js";
import type { PrepNode } from "../../../server/tree/outstanding.js";
import { Code } from "../../../server/util/error-code.js";
import { createReq, Harness } from "./harness.js";

const node: PrepNode = {
  version: 3,
  childCreates: 5,
  aversion: 1,
  ephemeralOwner: 0x1234n,
  numChildren: 2,
  acl: [],
  dataLength: 7,
  czxid: 100,
  mzxid: 200,
  pzxid: 300,
};

const cmp = (path: string, target: number, op: number, value: number | bigint): Compare => ({
  path,
  target,
  op,
  value: BigInt(value),
});

const setData = (path: string, data: string): Op => ({
  op: { $case: "setData", value: { path, data: Buffer.from(data) } },
});

describe("compare conditions", () => {
  it("compares every Stat field with =, !=, < and >", () => {
    const fields: Array<[number, bigint]> = [
      [Target.Version, 3n],
      [Target.Cversion, 8n], // 5 creates and 3 deletes: 2 * 5 - 2
      [Target.Aversion, 1n],
      [Target.Czxid, 100n],
      [Target.Mzxid, 200n],
      [Target.Pzxid, 300n],
      [Target.NumChildren, 2n],
      [Target.EphemeralOwner, 0x1234n],
      [Target.DataLength, 7n],
    ];
    for (const [target, v] of fields) {
      expect(compareHolds(node, cmp("/a", target, CompareOp.Equal, v)), `target ${target}`).toBe(true);
      expect(compareHolds(node, cmp("/a", target, CompareOp.Equal, v + 1n))).toBe(false);
      expect(compareHolds(node, cmp("/a", target, CompareOp.NotEqual, v))).toBe(false);
      expect(compareHolds(node, cmp("/a", target, CompareOp.NotEqual, v - 1n))).toBe(true);
      expect(compareHolds(node, cmp("/a", target, CompareOp.Less, v + 1n))).toBe(true);
      expect(compareHolds(node, cmp("/a", target, CompareOp.Less, v))).toBe(false);
      expect(compareHolds(node, cmp("/a", target, CompareOp.Greater, v - 1n))).toBe(true);
      expect(compareHolds(node, cmp("/a", target, CompareOp.Greater, v))).toBe(false);
    }
  });

  it("existence: a missing node holds only exists = 0 (and != 1); any other target of it is false", () => {
    expect(compareHolds(undefined, cmp("/a", Target.Exists, CompareOp.Equal, 0))).toBe(true);
    expect(compareHolds(undefined, cmp("/a", Target.Exists, CompareOp.NotEqual, 1))).toBe(true);
    expect(compareHolds(node, cmp("/a", Target.Exists, CompareOp.Equal, 1))).toBe(true);
    expect(compareHolds(node, cmp("/a", Target.Exists, CompareOp.Equal, 0))).toBe(false);
    for (const op of [CompareOp.Equal, CompareOp.NotEqual, CompareOp.Less, CompareOp.Greater]) {
      expect(compareHolds(undefined, cmp("/a", Target.Version, op, 0))).toBe(false);
    }
  });

  it("refuses unknown targets and operators, and existence with < or a value other than 0/1", () => {
    expect(() => validateCompare(cmp("/a", 0, CompareOp.Equal, 0), 0)).toThrow(
      /compare 0 on \/a: unknown target 0/,
    );
    expect(() => validateCompare(cmp("/a", 11, CompareOp.Equal, 0), 1)).toThrow(/unknown target 11/);
    expect(() => validateCompare(cmp("/a", Target.Version, 9, 0), 2)).toThrow(/unknown operator 9/);
    expect(() => validateCompare(cmp("/a", Target.Exists, CompareOp.Less, 1), 3)).toThrow(/existence takes/);
    expect(() => validateCompare(cmp("/a", Target.Exists, CompareOp.Equal, 2), 4)).toThrow(/got = 2/);
  });
});

describe("Prep txn: conditions at prep against the outstanding state, the branch as a MultiTxn", () => {
  it("sees a setData proposed but not yet applied, as a multi's check op does", () => {
    const h = new Harness();
    h.create("/a");
    const set = h.propose((z) => h.prep.setData({ path: "/a", data: Buffer.from("x") }, h.ctx(), z));
    const t = h.propose((z) =>
      h.prep.txn(
        {
          compare: [
            cmp("/a", Target.Version, CompareOp.Equal, 1),
            cmp("/a", Target.Mzxid, CompareOp.Equal, set.zxid),
          ],
          thenOps: [setData("/a", "then")],
          elseOps: [setData("/a", "else")],
        },
        h.ctx(),
        z,
      ),
    );
    expect(t.body).toMatchObject({ $case: "multi", value: { compareSucceeded: true } });
    h.apply(set);
    const out = h.apply(t);
    expect(out.code).toBe(Code.OK);
    expect(out.result).toMatchObject({
      $case: "txn",
      value: { succeeded: true, results: [{ result: { $case: "setData" } }] },
    });
    expect(Buffer.from(h.tree.getData("/a", []).data).toString()).toBe("then");
  });

  it("runs the else branch when a condition fails, and a child's create moves pzxid and numChildren", () => {
    const h = new Harness();
    h.create("/p");
    const child = h.create("/p/c");
    const out = h.run((z) =>
      h.prep.txn(
        {
          compare: [
            cmp("/p", Target.Pzxid, CompareOp.Equal, child.zxid),
            cmp("/p", Target.NumChildren, CompareOp.Greater, 1),
          ],
          thenOps: [setData("/p", "then")],
          elseOps: [{ op: { $case: "create", value: createReq("/p/d") } }, setData("/p", "else")],
        },
        h.ctx(),
        z,
      ),
    );
    expect(out.result).toMatchObject({ $case: "txn", value: { succeeded: false } });
    expect(out.result.$case === "txn" ? out.result.value.results.length : -1).toBe(2);
    expect(h.tree.exists("/p/d")).toBeDefined();
  });

  it("a failing op of the chosen branch fails the whole txn with ZooKeeper's multi results", () => {
    const h = new Harness();
    h.create("/a");
    const out = h.run((z) =>
      h.prep.txn(
        {
          compare: [cmp("/b", Target.Exists, CompareOp.Equal, 0)],
          thenOps: [setData("/a", "x"), { op: { $case: "create", value: createReq("/a") } }],
          elseOps: [],
        },
        h.ctx(),
        z,
      ),
    );
    expect(out.code).toBe(Code.NodeExists);
    expect(out.result).toMatchObject({
      $case: "txn",
      value: {
        succeeded: true,
        results: [{ result: { value: { code: Code.OK } } }, { result: { value: { code: Code.NodeExists } } }],
      },
    });
    expect(h.tree.exists("/a")?.version).toBe(0);
  });

  it("needs READ on an existing node a condition reads, and counts conditions against multiOpsMax", () => {
    const h = new Harness({ limits: { multiOpsMax: 2 } });
    h.create("/secret", 0, { acl: [{ perms: 2, id: { scheme: "world", id: "anyone" } }] });
    const req = { compare: [cmp("/secret", Target.Version, CompareOp.Equal, 0)], thenOps: [], elseOps: [] };
    expect(h.error((z) => h.prep.txn(req, h.ctx(), z)).code).toBe(Code.NoAuth);
    const many = {
      ...req,
      compare: [cmp("/x", Target.Exists, CompareOp.Equal, 0)],
      thenOps: [setData("/a", "1"), setData("/a", "2")],
    };
    expect(h.error((z) => h.prep.txn(many, h.ctx(), z)).message).toMatch(
      /txn of 3 conditions and ops, over multiOpsMax 2/,
    );
  });
});
