import { beforeEach, describe, expect, it } from "vitest";
import { digestId } from "../../../server/tree/sha1.js";
import { Code } from "../../../server/util/error-code.js";
import { createReq, Harness } from "./harness.js";

const bob = digestId("bob", "pw");
const bobIds = [
  { scheme: "ip", id: "127.0.0.1" },
  { scheme: "digest", id: bob },
];
const world = (perms: number) => [{ perms, id: { scheme: "world", id: "anyone" } }];

describe("Prep create: sequence suffixes (ZooKeeper 3.8.0 probe: suffix = child creates so far)", () => {
  it("counts non-sequential creates, is not reset by deletes, and shows cversion = creates + deletes", () => {
    const h = new Harness();
    h.create("/s");
    h.create("/s/a");
    expect(h.create("/s/x-", 2).result).toMatchObject({ value: { path: "/s/x-0000000001" } });
    h.run((z) => h.prep.delete({ path: "/s/a" }, h.ctx(), z));
    expect(h.tree.exists("/s")?.cversion).toBe(3);
    // ZooKeeper gave x-0000000002 here although cversion was 3.
    expect(h.create("/s/x-", 2).result).toMatchObject({ value: { path: "/s/x-0000000002" } });
    expect(h.create("/s/", 2).result).toMatchObject({ value: { path: "/s/0000000003" } });
  });

  it("counts creates still outstanding, and a multi's own creates", () => {
    const h = new Harness();
    h.create("/s");
    const a = h.propose((z) => h.prep.create(createReq("/s/q-", 2), h.ctx(), z));
    const b = h.propose((z) => h.prep.create(createReq("/s/q-", 2), h.ctx(), z));
    expect(a.body).toMatchObject({ value: { path: "/s/q-0000000000", parentCversion: 1 } });
    expect(b.body).toMatchObject({ value: { path: "/s/q-0000000001", parentCversion: 2 } });
    h.apply(a);
    h.apply(b);
    // ZooKeeper probe: multi [create b, delete b, create y- (seq), create y- (seq)] numbered 3 and 4 here.
    const m = h.run((z) =>
      h.prep.multi(
        {
          ops: [
            { op: { $case: "create", value: createReq("/s/b") } },
            { op: { $case: "delete", value: { path: "/s/b" } } },
            { op: { $case: "create", value: createReq("/s/y-", 2) } },
            { op: { $case: "create", value: createReq("/s/y-", 2) } },
          ],
        },
        h.ctx(),
        z,
      ),
    );
    expect(m.code).toBe(Code.OK);
    const results = m.result.$case === "multi" ? m.result.value.results : [];
    expect(
      results.map((r) => (r.result?.$case === "create" ? r.result.value.path : r.result?.$case)),
    ).toEqual(["/s/b", "delete", "/s/y-0000000003", "/s/y-0000000004"]);
    expect(h.tree.exists("/s")).toMatchObject({ cversion: 6, numChildren: 4 });
  });

  it("formats negative counts as Java's %010d", async () => {
    const { sequenceSuffix } = await import("../../../server/tree/prep.js");
    expect(sequenceSuffix(7)).toBe("0000000007");
    expect(sequenceSuffix(-1)).toBe("-000000001");
  });
});

describe("Prep create: error precedence (ZooKeeper 3.8.0 probe)", () => {
  const h = new Harness();
  // Built in a hook, not in the describe body: a throw while collecting fails no test (the whole
  // file reports none), which StrykerJS counts as a surviving mutant.
  let built = false;
  beforeEach(() => {
    if (built) return;
    h.create("/p");
    h.create("/p/ro", 0, { acl: world(1) });
    h.create("/p/eph", 1);
    built = true;
  });
  const anon = h.ctx();

  it("InvalidACL before NoNode; empty ACL is InvalidACL", () => {
    const auth = [{ perms: 31, id: { scheme: "auth", id: "" } }];
    expect(h.error((z) => h.prep.create(createReq("/p/nope/x", 0, { acl: auth }), anon, z)).code).toBe(
      Code.InvalidACL,
    );
    expect(h.error((z) => h.prep.create(createReq("/p/nope/x", 0, { acl: [] }), anon, z)).code).toBe(
      Code.InvalidACL,
    );
    expect(h.error((z) => h.prep.create(createReq("/p/nope/x"), anon, z)).code).toBe(Code.NoNode);
  });

  it("NoNode parent before NoAuth, NoAuth before NodeExists, NodeExists before NoChildrenForEphemerals", () => {
    expect(h.error((z) => h.prep.create(createReq("/p/ro/zz/x"), anon, z)).code).toBe(Code.NoNode);
    expect(h.error((z) => h.prep.create(createReq("/p/ro/x"), anon, z))).toMatchObject({
      code: Code.NoAuth,
      path: "/p/ro/x",
    });
    h.create("/p/ro/existing", 0, { ctx: h.ctx([{ scheme: "super", id: "" }]) });
    expect(h.error((z) => h.prep.create(createReq("/p/ro/existing"), anon, z)).code).toBe(Code.NoAuth);
    expect(h.error((z) => h.prep.create(createReq("/p/eph", 1), anon, z)).code).toBe(Code.NodeExists);
    expect(h.error((z) => h.prep.create(createReq("/p/eph/x"), anon, z)).code).toBe(
      Code.NoChildrenForEphemerals,
    );
    // Sequential under an ephemeral parent: NoChildrenForEphemerals naming the request path.
    expect(h.error((z) => h.prep.create(createReq("/p/eph/x-", 2), anon, z))).toMatchObject({
      code: Code.NoChildrenForEphemerals,
      path: "/p/eph/x-",
    });
  });

  it("invalid paths are BadArguments; create / is NodeExists; nothing is recorded on failure", () => {
    expect(h.error((z) => h.prep.create(createReq("/p//b"), anon, z)).code).toBe(Code.BadArguments);
    expect(h.error((z) => h.prep.create(createReq("/"), anon, z)).code).toBe(Code.NodeExists);
    expect(h.prep.outstandingCount).toBe(0);
  });

  it("ephemeral create needs a session", () => {
    const e = h.error((z) => h.prep.create(createReq("/p/e2", 1), h.ctx(undefined, 0n, false), z));
    expect(e.code).toBe(Code.BadArguments);
    expect(e.message).toContain("ephemeral nodes need a session");
  });
});

describe("Prep create: TTL and container rules", () => {
  it("TTL modes need extendedTypesEnabled (Unimplemented)", () => {
    const h = new Harness({ extendedTypesEnabled: false });
    expect(h.error((z) => h.prep.create(createReq("/t", 5, { ttl: 10n }), h.ctx(), z)).code).toBe(
      Code.Unimplemented,
    );
    expect(h.create("/c", 4).code).toBe(Code.OK);
  });

  it("ttl must be 1..0xFFFFFFFFFF with TTL modes and 0 otherwise (BadArguments)", () => {
    const h = new Harness();
    for (const ttl of [0n, -1n, 0x10000000000n]) {
      expect(h.error((z) => h.prep.create(createReq("/t", 5, { ttl }), h.ctx(), z)).code).toBe(
        Code.BadArguments,
      );
    }
    expect(h.error((z) => h.prep.create(createReq("/t", 0, { ttl: 100n }), h.ctx(), z)).code).toBe(
      Code.BadArguments,
    );
    expect(h.error((z) => h.prep.create(createReq("/t", 4, { ttl: 100n }), h.ctx(), z)).code).toBe(
      Code.BadArguments,
    );
    const out = h.create("/t", 5, { ttl: 0xffffffffffn });
    expect(out.code).toBe(Code.OK);
    expect(BigInt.asUintN(64, h.tree.node("/t")!.ephemeralOwner)).toBe(0xff0000ffffffffffn);
    expect(h.create("/t2-", 6, { ttl: 1000n }).result).toMatchObject({ value: { path: "/t2-0000000001" } });
    // Children under TTL nodes and containers are allowed (ZooKeeper probe).
    expect(h.create("/t/c").code).toBe(Code.OK);
    h.create("/c", 4);
    expect(h.create("/c/c", 1).code).toBe(Code.OK);
    expect(h.tree.ephemeralsOf(0x100n)).toEqual(new Set(["/c/c"]));
  });
});

describe("Prep ACLs on create", () => {
  it("auth expands to the session's digest ids; without one it is InvalidACL; duplicates dropped", () => {
    const h = new Harness();
    const auth = [{ perms: 31, id: { scheme: "auth", id: "ignored" } }];
    h.create("/au", 0, { acl: auth, ctx: h.ctx(bobIds) });
    expect(h.tree.getACL("/au").acl).toEqual([{ perms: 31, id: { scheme: "digest", id: bob } }]);
    const dup = [...world(31), ...world(31)];
    h.create("/dup", 0, { acl: dup });
    expect(h.tree.getACL("/dup").acl).toEqual(world(31));
  });

  it("rejects ids their scheme does not accept (ZooKeeper 3.8.0 probe)", () => {
    const h = new Harness();
    const bad = [
      { scheme: "ip", id: "300.0.0.1" },
      { scheme: "ip", id: "10.0.0.0/33" },
      { scheme: "digest", id: "bob" },
      { scheme: "world", id: "someone" },
      { scheme: "foo", id: "bar" },
      { scheme: "super", id: "" },
    ];
    for (const id of bad) {
      expect(
        h.error((z) => h.prep.create(createReq("/x", 0, { acl: [{ perms: 31, id }] }), h.ctx(), z)).code,
      ).toBe(Code.InvalidACL);
    }
    // perms are not validated: 0 and 65 are accepted.
    expect(h.create("/z0", 0, { acl: world(0) }).code).toBe(Code.OK);
    expect(h.create("/z65", 0, { acl: world(65) }).code).toBe(Code.OK);
    expect(h.create("/v6", 0, { acl: [{ perms: 31, id: { scheme: "ip", id: "fe80::1/64" } }] }).code).toBe(
      Code.OK,
    );
  });
});

describe("Prep request size (ZooKeeper counts the whole jute request against jute.maxbuffer)", () => {
  it("setData: header 8 + path (4+len) + data (4+len) + version 4 must be <= requestBytesMax", () => {
    // ZooKeeper 3.8.0, jute.maxbuffer 0xfffff: path of 15 chars takes 1048540 bytes of data, not 1048541.
    const h = new Harness({ limits: { requestBytesMax: 0xfffff } });
    const path = "/sz584159228204";
    h.create(path);
    const req = (n: number) => ({ path, data: Buffer.alloc(n), version: -1 });
    expect(h.run((z) => h.prep.setData(req(1048540), h.ctx(), z)).code).toBe(Code.OK);
    const e = h.error((z) => h.prep.setData(req(1048541), h.ctx(), z));
    expect(e.code).toBe(Code.BadArguments);
    expect(e.message).toContain("requestBytesMax");
  });

  it("create: path, data, ACL list and flags; ZooKeeper took 1048511 bytes for a 17-char path with OPEN_ACL", () => {
    const h = new Harness({ limits: { requestBytesMax: 0xfffff } });
    h.create("/sz584159228204");
    const req = (n: number) => ({ ...createReq("/sz584159228204/c"), data: Buffer.alloc(n) });
    expect(h.run((z) => h.prep.create(req(1048511), h.ctx(), z)).code).toBe(Code.OK);
    expect(h.error((z) => h.prep.create(req(1048512), h.ctx(), z)).code).toBe(Code.BadArguments);
  });
});
