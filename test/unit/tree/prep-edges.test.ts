import { describe, expect, it } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import type { Op } from "../../../server/gen/paddock/v1/data.js";
import { TTL_MAX, ttlOwner } from "../../../server/tree/ephemeral-type.js";
import { Prep, type TxnBody } from "../../../server/tree/prep.js";
import { AssertionError } from "../../../server/util/assert.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { createReq, Harness } from "./harness.js";

// What prep.ts does that the op-by-op tests leave open (found by mutation testing, docs/TESTING.md):
// the exact error messages (they name the path, version or limit), the undo scope of a multi that
// is proposed but not yet applied, the sub-transactions a multi logs, closeSession and
// deleteContainer edge cases, create modes, null data and skipACL.

const world = (perms: number) => [{ perms, id: { scheme: "world", id: "anyone" } }];
const ops = (...o: Op["op"][]) => ({ ops: o.map((op) => ({ op })) });
const subBodies = (body: TxnBody): Txn["body"][] =>
  body.$case === "multi" ? body.value.txns.map((t) => t.body) : [];

describe("Prep error messages name the path, version or limit", () => {
  it("create: mode, TTL, ephemeral parent, path length", () => {
    const h = new Harness({ limits: { pathLengthMax: 10 } });
    for (const mode of [-1, 7, 1.5]) {
      expect(h.error((z) => h.prep.create(createReq("/m", mode), h.ctx(), z))).toMatchObject({
        code: Code.BadArguments,
        path: "/m",
        message: `BadArguments for /m: unknown create mode ${mode}`,
      });
    }
    expect(h.error((z) => h.prep.create(createReq("/t", 5, { ttl: 0n }), h.ctx(), z)).message).toBe(
      `BadArguments for /t: ttl 0 must be in 1..${TTL_MAX}`,
    );
    expect(h.error((z) => h.prep.create(createReq("/t", 0, { ttl: 5n }), h.ctx(), z)).message).toBe(
      "BadArguments for /t: ttl 5 not valid for mode 0",
    );
    const off = new Harness({ extendedTypesEnabled: false });
    expect(off.error((z) => off.prep.create(createReq("/t", 6, { ttl: 5n }), off.ctx(), z))).toMatchObject({
      code: Code.Unimplemented,
      message: "Unimplemented for /t: TTL nodes need extendedTypesEnabled",
    });
    h.create("/e", 1);
    expect(h.error((z) => h.prep.create(createReq("/e/x"), h.ctx(), z)).message).toBe(
      "NoChildrenForEphemerals for /e/x: parent /e is ephemeral",
    );
    // pathLengthMax counts the final path: a sequential one is 10 characters longer.
    expect(h.error((z) => h.prep.create(createReq("/abcdefghi1"), h.ctx(), z)).message).toBe(
      "BadArguments for /abcdefghi1: path of 11 characters, over pathLengthMax 10",
    );
    expect(h.create("/abcdefghi").code).toBe(Code.OK);
    expect(h.error((z) => h.prep.create(createReq("/a", 2), h.ctx(), z)).message).toBe(
      "BadArguments for /a: path of 12 characters, over pathLengthMax 10",
    );
  });

  it("delete: system node and NotEmpty", () => {
    const h = new Harness();
    expect(h.error((z) => h.prep.delete({ path: "/zookeeper" }, h.ctx(), z)).message).toBe(
      "BadArguments for /zookeeper: a system node cannot be deleted",
    );
    h.create("/q");
    h.create("/q/a");
    h.create("/q/b");
    expect(h.error((z) => h.prep.delete({ path: "/q" }, h.ctx(), z))).toMatchObject({
      code: Code.NotEmpty,
      path: "/q",
      message: "NotEmpty for /q: 2 children",
    });
  });

  it("multi: multiOpsMax, an empty op, requestBytesMax (errors of the whole multi have no path)", () => {
    const h = new Harness({ limits: { multiOpsMax: 2, requestBytesMax: 200 } });
    const check = (path: string): Op["op"] => ({ $case: "check", value: { path } });
    expect(h.error((z) => h.prep.multi(ops(check("/"), check("/"), check("/")), h.ctx(), z))).toMatchObject({
      code: Code.BadArguments,
      path: "",
      message: "BadArguments for : multi of 3 ops, over multiOpsMax 2",
    });
    expect(h.run((z) => h.prep.multi(ops(check("/"), check("/")), h.ctx(), z)).code).toBe(Code.OK);
    expect(
      h.error((z) => h.prep.multi({ ops: [{ op: check("/") }, { op: undefined }] }, h.ctx(), z)),
    ).toMatchObject({ code: Code.BadArguments, path: "", message: "BadArguments for : multi op 1 is empty" });
    const big: Op["op"] = { $case: "setData", value: { path: "/", data: Buffer.alloc(200) } };
    const e = h.error((z) => h.prep.multi(ops(big), h.ctx(), z));
    expect(e).toMatchObject({ code: Code.BadArguments, path: "" });
    expect(e.message).toMatch(
      /^BadArguments for : request is \d+ bytes, over requestBytesMax 200 \(jute.maxbuffer\)$/,
    );
  });

  it("an ephemeral create for session 0 is a broken invariant (AssertionError), also inside a multi", () => {
    const h = new Harness();
    const noSession = h.ctx(undefined, 0n, true);
    expect(() => h.prep.create(createReq("/e", 1), noSession, h.zxid + 1)).toThrow(
      new AssertionError("ephemeral create for non-positive session id 0"),
    );
    expect(() =>
      h.prep.multi(ops({ $case: "create", value: createReq("/e", 1) }), noSession, h.zxid + 1),
    ).toThrow(AssertionError);
  });
});

describe("Prep multi: its undo scope and the sub-transactions it logs", () => {
  it("a failed multi takes back its records before it is applied; a successful one keeps them", () => {
    const h = new Harness();
    h.create("/n");
    const setV0: Op["op"] = { $case: "setData", value: { path: "/n", data: Buffer.from("1"), version: 0 } };
    const failed = h.propose((z) =>
      h.prep.multi(ops(setV0, { $case: "check", value: { path: "/n", version: 7 } }), h.ctx(), z),
    );
    expect(subBodies(failed.body)).toEqual([
      { $case: "error", value: { code: Code.OK } },
      { $case: "error", value: { code: Code.BadVersion } },
    ]);
    expect(h.prep.outstandingCount).toBe(0);
    const ok = h.propose((z) => h.prep.multi(ops(setV0), h.ctx(), z));
    expect(h.prep.outstandingCount).toBe(1);
    expect(
      h.error((z) => h.prep.setData({ path: "/n", data: Buffer.from("2"), version: 0 }, h.ctx(), z)).message,
    ).toBe("BadVersion for /n: expected 0, is 1");
    h.apply(failed);
    expect(h.apply(ok).code).toBe(Code.OK);
    expect(h.tree.exists("/n")?.version).toBe(1);
  });

  it("logs OK for the ops before the failure, its code, then RuntimeInconsistency; a check logs its version", () => {
    const h = new Harness();
    h.create("/n");
    h.run((z) => h.prep.setData({ path: "/n", data: Buffer.from("x") }, h.ctx(), z));
    const failed = h.propose((z) =>
      h.prep.multi(
        ops(
          { $case: "create", value: createReq("/a") },
          { $case: "create", value: createReq("/b") },
          { $case: "delete", value: { path: "/none" } },
          { $case: "create", value: createReq("/c") },
        ),
        h.ctx(),
        z,
      ),
    );
    expect(subBodies(failed.body)).toEqual([
      { $case: "error", value: { code: Code.OK } },
      { $case: "error", value: { code: Code.OK } },
      { $case: "error", value: { code: Code.NoNode } },
      { $case: "error", value: { code: Code.RuntimeInconsistency } },
    ]);
    const checked = h.propose((z) =>
      h.prep.multi(ops({ $case: "check", value: { path: "/n", version: 1 } }), h.ctx(), z),
    );
    expect(subBodies(checked.body)).toEqual([{ $case: "check", value: { path: "/n", version: 1 } }]);
  });
});

describe("Prep: records other ops leave for the next prep", () => {
  it("setACL's outstanding record carries the new aversion and ACL", () => {
    const h = new Harness();
    h.create("/n");
    h.propose((z) => h.prep.setACL({ path: "/n", acl: world(17), version: 0 }, h.ctx(), z));
    expect(
      h.error((z) => h.prep.setACL({ path: "/n", acl: world(31), version: 0 }, h.ctx(), z)).message,
    ).toBe("BadVersion for /n: expected 0, is 1");
    expect(h.error((z) => h.prep.setData({ path: "/n", data: Buffer.from("x") }, h.ctx(), z))).toMatchObject({
      code: Code.NoAuth,
      message: "NoAuth for /n: WRITE permission required",
    });
  });

  it("check (outside a multi) checks existence, READ and version, and records nothing", () => {
    const h = new Harness();
    h.create("/n");
    h.create("/w", 0, { acl: world(2) });
    expect(h.error((z) => void h.prep.check({ path: "/none" }, h.ctx(), z)).message).toBe("NoNode for /none");
    expect(h.error((z) => void h.prep.check({ path: "/w" }, h.ctx(), z)).code).toBe(Code.NoAuth);
    expect(h.error((z) => void h.prep.check({ path: "/n", version: 3 }, h.ctx(), z)).message).toBe(
      "BadVersion for /n: expected 3, is 0",
    );
    h.prep.check({ path: "/n", version: 0 }, h.ctx(), h.zxid + 1);
    expect(h.prep.outstandingCount).toBe(0);
  });

  it("createSession carries the timeout and password", () => {
    const h = new Harness();
    expect(h.prep.createSession(30_000, new Uint8Array([1, 2]), h.zxid + 1)).toEqual({
      $case: "createSession",
      value: { timeoutMs: 30_000, password: Buffer.from([1, 2]) },
    });
  });
});

describe("Prep closeSession", () => {
  it("a session without ephemerals records nothing", () => {
    const h = new Harness();
    expect(h.prep.closeSession(99n, h.zxid + 1)).toEqual({ $case: "closeSession", value: {} });
    expect(h.prep.outstandingCount).toBe(0);
  });

  it("skips an ephemeral another request already deletes, and one re-created by another session", () => {
    const h = new Harness();
    const mine = h.ctx(undefined, 7n);
    h.create("/e1", 1, { ctx: mine });
    h.create("/e2", 1, { ctx: mine });
    h.create("/e3", 1, { ctx: mine });
    h.propose((z) => h.prep.delete({ path: "/e1" }, h.ctx(), z));
    h.propose((z) => h.prep.delete({ path: "/e3" }, h.ctx(), z));
    h.propose((z) => h.prep.create(createReq("/e3", 1), h.ctx(undefined, 8n), z));
    const before = h.prep.outstandingCount;
    h.propose((z) => h.prep.closeSession(7n, z));
    // Only /e2: its delete record and its parent's.
    expect(h.prep.outstandingCount - before).toBe(2);
    expect(h.error((z) => h.prep.setData({ path: "/e2", data: Buffer.from("") }, h.ctx(), z)).code).toBe(
      Code.NoNode,
    );
    expect(h.prep.setData({ path: "/e3", data: Buffer.from("") }, h.ctx(), h.zxid + 1).$case).toBe("setData");
  });
});

describe("Prep deleteContainer", () => {
  it("only a childless container or TTL node that exists", () => {
    const h = new Harness();
    h.create("/p");
    h.create("/e", 1);
    h.create("/t", 5, { ttl: 100n });
    expect(h.prep.deleteContainer("/none", h.zxid + 1)).toBeUndefined();
    expect(h.prep.deleteContainer("/p", h.zxid + 1)).toBeUndefined();
    expect(h.prep.deleteContainer("/e", h.zxid + 1)).toBeUndefined();
    expect(h.prep.outstandingCount).toBe(0);
    expect(h.prep.deleteContainer("/t", h.zxid + 1)).toEqual({
      $case: "deleteContainer",
      value: { path: "/t" },
    });
  });
});

describe("Prep create modes and null data", () => {
  it("EphemeralSequential is ephemeral and sequential", () => {
    const h = new Harness();
    h.create("/s");
    const p = h.propose((z) => h.prep.create(createReq("/s/x-", 3), h.ctx(undefined, 9n), z));
    expect(p.body).toMatchObject({ $case: "create", value: { path: "/s/x-0000000000", ephemeralOwner: 9n } });
    expect(h.error((z) => h.prep.create(createReq("/s/y-", 3), h.ctx(undefined, 9n, false), z)).code).toBe(
      Code.BadArguments,
    );
    const t = h.propose((z) => h.prep.create(createReq("/s/t-", 6, { ttl: 50n }), h.ctx(), z));
    expect(t.body).toMatchObject({ value: { path: "/s/t-0000000001", ephemeralOwner: ttlOwner(50) } });
  });

  it("dataNull travels only when asked for and the data is empty", () => {
    const h = new Harness();
    h.create("/n");
    const create = h.prep.create(
      { ...createReq("/c", 0, { data: "x" }), dataNull: true },
      h.ctx(),
      h.zxid + 1,
    );
    expect(create.value).not.toHaveProperty("dataNull");
    const plain = h.prep.setData({ path: "/n", data: Buffer.alloc(0) }, h.ctx(), h.zxid + 2);
    expect(plain.value).not.toHaveProperty("dataNull");
    const notNull = h.prep.setData(
      { path: "/n", data: Buffer.alloc(0), dataNull: false },
      h.ctx(),
      h.zxid + 3,
    );
    expect(notNull.value).not.toHaveProperty("dataNull");
    const full = h.prep.setData({ path: "/n", data: Buffer.from("y"), dataNull: true }, h.ctx(), h.zxid + 4);
    expect(full.value).not.toHaveProperty("dataNull");
    const nul = h.prep.setData({ path: "/n", data: Buffer.alloc(0), dataNull: true }, h.ctx(), h.zxid + 5);
    expect(nul.value).toMatchObject({ dataNull: true });
  });
});

describe("Prep with skipAcl (ZooKeeper's skipACL=yes)", () => {
  it("checks no ACL", () => {
    const h = new Harness();
    h.create("/ro", 0, { acl: world(1) });
    const prep = new Prep(h.tree, { limits: defaultLimits, extendedTypesEnabled: true, skipAcl: true });
    expect(prep.setData({ path: "/ro", data: Buffer.from("x") }, h.ctx(), h.zxid + 1).$case).toBe("setData");
  });
});
