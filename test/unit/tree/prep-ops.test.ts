import { beforeEach, describe, expect, it } from "vitest";
import type { Op } from "../../../server/gen/paddock/v1/data.js";
import { Code } from "../../../server/util/error-code.js";
import { createReq, Harness } from "./harness.js";

const world = (perms: number) => [{ perms, id: { scheme: "world", id: "anyone" } }];
const superCtx = (h: Harness) => h.ctx([{ scheme: "super", id: "" }]);
const results = (out: { result: { $case: string; value: unknown } }) =>
  out.result.$case === "multi"
    ? (out.result.value as { results: { result?: { $case: string; value: unknown } }[] }).results
    : [];
const codes = (out: { result: { $case: string; value: unknown } }) =>
  results(out).map((r) =>
    r.result?.$case === "error" ? (r.result.value as { code: number }).code : r.result?.$case,
  );

describe("Prep delete/setData/setACL precedence (ZooKeeper 3.8.0 probe)", () => {
  const h = new Harness();
  // Built in a hook, not in the describe body: a throw while collecting fails no test (the whole
  // file reports none), which StrykerJS counts as a surviving mutant.
  let built = false;
  beforeEach(() => {
    if (built) return;
    h.create("/a");
    h.create("/a/r", 0, { acl: [...world(1)] });
    h.create("/a/r/x", 0, { ctx: superCtx(h) });
    h.create("/a/ad", 0, { acl: world(16) });
    built = true;
  });
  const anon = h.ctx();

  it("delete: system nodes BadArguments first, then parent NoNode, DELETE on parent, node NoNode, version, NotEmpty", () => {
    for (const path of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]) {
      expect(h.error((z) => h.prep.delete({ path, version: 5 }, superCtx(h), z)).code).toBe(
        Code.BadArguments,
      );
    }
    expect(h.error((z) => h.prep.delete({ path: "/nope/x" }, anon, z)).code).toBe(Code.NoNode);
    // No DELETE on /a/r: NoAuth even for a child that does not exist.
    expect(h.error((z) => h.prep.delete({ path: "/a/r/y" }, anon, z)).code).toBe(Code.NoAuth);
    expect(h.error((z) => h.prep.delete({ path: "/a/nope" }, anon, z)).code).toBe(Code.NoNode);
    expect(h.error((z) => h.prep.delete({ path: "/a/r", version: 9 }, anon, z))).toMatchObject({
      code: Code.BadVersion,
      message: "BadVersion for /a/r: expected 9, is 0",
    });
    expect(h.error((z) => h.prep.delete({ path: "/a/r" }, anon, z)).code).toBe(Code.NotEmpty);
  });

  it("setData: NoAuth before BadVersion; setACL: InvalidACL before NoNode, NoAuth before BadVersion", () => {
    expect(
      h.error((z) => h.prep.setData({ path: "/a/r", data: Buffer.from("x"), version: 7 }, anon, z)).code,
    ).toBe(Code.NoAuth);
    expect(h.error((z) => h.prep.setACL({ path: "/nope", acl: [] }, anon, z)).code).toBe(Code.InvalidACL);
    expect(h.error((z) => h.prep.setACL({ path: "/nope", acl: world(31) }, anon, z)).code).toBe(Code.NoNode);
    expect(h.error((z) => h.prep.setACL({ path: "/a/r", acl: world(31), version: 7 }, anon, z)).code).toBe(
      Code.NoAuth,
    );
    expect(h.error((z) => h.prep.setACL({ path: "/a/ad", acl: world(31), version: 7 }, anon, z)).code).toBe(
      Code.BadVersion,
    );
  });

  it("/zookeeper is writable as ZooKeeper allows: create under it, setData; /zookeeper/config needs super", () => {
    expect(h.create("/zookeeper/foo").code).toBe(Code.OK);
    expect(h.run((z) => h.prep.setData({ path: "/zookeeper", data: Buffer.from("x") }, anon, z)).code).toBe(
      Code.OK,
    );
    expect(
      h.error((z) => h.prep.setData({ path: "/zookeeper/config", data: Buffer.from("x") }, anon, z)).code,
    ).toBe(Code.NoAuth);
    const out = h.run((z) =>
      h.prep.setData({ path: "/zookeeper/config", data: Buffer.from("x") }, superCtx(h), z),
    );
    expect(out.result).toMatchObject({ value: { stat: { version: 1, aversion: -1 } } });
    expect(h.run((z) => h.prep.delete({ path: "/zookeeper/foo" }, anon, z)).code).toBe(Code.OK);
  });

  it("setData and setACL txns carry the new version; version absent or -1 means any", () => {
    const p = h.propose((z) => h.prep.setData({ path: "/a", data: Buffer.from("1") }, anon, z));
    expect(p.body).toMatchObject({ $case: "setData", value: { version: 1 } });
    h.apply(p);
    const q = h.propose((z) => h.prep.setACL({ path: "/a", acl: world(31), version: -1 }, anon, z));
    expect(q.body).toMatchObject({ $case: "setAcl", value: { version: 1 } });
    expect(h.apply(q).result).toMatchObject({ value: { stat: { aversion: 1, version: 1 } } });
  });
});

describe("Prep outstanding changes", () => {
  it("two setData -v 0 before either applies: the second is BadVersion", () => {
    const h = new Harness();
    h.create("/n");
    const first = h.propose((z) =>
      h.prep.setData({ path: "/n", data: Buffer.from("1"), version: 0 }, h.ctx(), z),
    );
    expect(
      h.error((z) => h.prep.setData({ path: "/n", data: Buffer.from("2"), version: 0 }, h.ctx(), z)).code,
    ).toBe(Code.BadVersion);
    h.propose((z) => h.prep.setData({ path: "/n", data: Buffer.from("2"), version: 1 }, h.ctx(), z));
    h.apply(first);
    expect(h.prep.outstandingCount).toBe(1);
  });

  it("a create outstanding makes a child create pass and a second create NodeExists; delete then create passes", () => {
    const h = new Harness();
    h.propose((z) => h.prep.create(createReq("/x"), h.ctx(), z));
    h.propose((z) => h.prep.create(createReq("/x/y"), h.ctx(), z));
    expect(h.error((z) => h.prep.create(createReq("/x"), h.ctx(), z)).code).toBe(Code.NodeExists);
    expect(h.error((z) => h.prep.delete({ path: "/x" }, h.ctx(), z)).code).toBe(Code.NotEmpty);
    h.propose((z) => h.prep.delete({ path: "/x/y" }, h.ctx(), z));
    h.propose((z) => h.prep.delete({ path: "/x" }, h.ctx(), z));
    expect(h.error((z) => h.prep.setData({ path: "/x", data: Buffer.from("") }, h.ctx(), z)).code).toBe(
      Code.NoNode,
    );
    h.propose((z) => h.prep.create(createReq("/x"), h.ctx(), z));
    h.prep.reset();
    expect(h.prep.outstandingCount).toBe(0);
    expect(h.error((z) => h.prep.create(createReq("/x/y"), h.ctx(), z)).code).toBe(Code.NoNode);
  });

  it("closeSession marks applied and outstanding ephemerals gone: their parent can be deleted next", () => {
    const h = new Harness();
    h.create("/p");
    h.create("/p/e1", 1, { ctx: h.ctx(undefined, 7n) });
    const pending = h.propose((z) => h.prep.create(createReq("/p/e2", 1), h.ctx(undefined, 7n), z));
    const close = h.propose((z) => h.prep.closeSession(7n, z));
    expect(close.body).toEqual({ $case: "closeSession", value: {} });
    const del = h.propose((z) => h.prep.delete({ path: "/p" }, h.ctx(), z));
    h.apply(pending, 7n);
    const out = h.apply(close, 7n);
    expect(out.result.$case).toBe("session");
    expect(out.triggers).toMatchObject([
      { path: "/p/e1", type: 2 },
      { path: "/p", type: 4 },
      { path: "/p/e2", type: 2 },
      { path: "/p", type: 4 },
    ]);
    expect(h.apply(del).code).toBe(Code.OK);
    expect(h.tree.ephemeralsOf(7n)).toBeUndefined();
  });
});

describe("Prep multi (ZooKeeper 3.8.0 probe)", () => {
  const ops = (...o: Op["op"][]) => ({ ops: o.map((op) => ({ op })) });

  it("two setData v0 in one multi: [OK, BadVersion], nothing applied, outstanding rolled back", () => {
    const h = new Harness();
    h.create("/n");
    const out = h.run((z) =>
      h.prep.multi(
        ops(
          { $case: "setData", value: { path: "/n", data: Buffer.from("1"), version: 0 } },
          { $case: "setData", value: { path: "/n", data: Buffer.from("2"), version: 0 } },
        ),
        h.ctx(),
        z,
      ),
    );
    expect(out.code).toBe(Code.BadVersion);
    expect(codes(out)).toEqual([Code.OK, Code.BadVersion]);
    expect(out.triggers).toMatchObject([]);
    expect(h.tree.exists("/n")?.version).toBe(0);
    expect(h.prep.outstandingCount).toBe(0);
  });

  it("fail in the middle: [OK, BadVersion, RuntimeInconsistency, RuntimeInconsistency]", () => {
    const h = new Harness();
    h.create("/n");
    const out = h.run((z) =>
      h.prep.multi(
        ops(
          { $case: "create", value: createReq("/f1") },
          { $case: "check", value: { path: "/n", version: 99 } },
          { $case: "create", value: createReq("/f2") },
          { $case: "delete", value: { path: "/nonexist" } },
        ),
        h.ctx(),
        z,
      ),
    );
    expect(codes(out)).toEqual([
      Code.OK,
      Code.BadVersion,
      Code.RuntimeInconsistency,
      Code.RuntimeInconsistency,
    ]);
    expect(h.tree.exists("/f1")).toBeUndefined();
    // The rolled-back create must not shift sequence numbers either.
    expect(h.create("/s-", 2).result).toMatchObject({ value: { path: "/s-0000000001" } });
  });

  it("success: per-op results with the stat after each op; create, setData v0, delete v1, create again", () => {
    const h = new Harness();
    const out = h.run((z) =>
      h.prep.multi(
        ops(
          { $case: "create", value: createReq("/k") },
          { $case: "setData", value: { path: "/k", data: Buffer.from("1"), version: 0 } },
          { $case: "delete", value: { path: "/k", version: 1 } },
          { $case: "create", value: createReq("/k", 0, { data: "z" }) },
          { $case: "check", value: { path: "/k", version: 0 } },
        ),
        h.ctx(),
        z,
      ),
    );
    expect(out.code).toBe(Code.OK);
    expect(codes(out)).toEqual(["create", "setData", "delete", "create", "check"]);
    expect(results(out)[1]?.result?.value).toMatchObject({ stat: { version: 1, dataLength: 1 } });
    expect(h.tree.exists("/k")).toMatchObject({ version: 0, dataLength: 1 });
    expect(out.triggers.map((t) => `${t.type}${t.path}`)).toEqual([
      "1/k",
      "4/",
      "3/k",
      "2/k",
      "4/",
      "1/k",
      "4/",
    ]);
  });

  it("ephemeral parent, NotEmpty and NoNode inside a multi; empty multi; malformed multi throws", () => {
    const h = new Harness();
    const run = (...o: Op["op"][]) => codes(h.run((z) => h.prep.multi(ops(...o), h.ctx(), z)));
    expect(
      run({ $case: "create", value: createReq("/e", 1) }, { $case: "create", value: createReq("/e/x") }),
    ).toEqual([Code.OK, Code.NoChildrenForEphemerals]);
    expect(
      run(
        { $case: "create", value: createReq("/q") },
        { $case: "create", value: createReq("/q/x") },
        { $case: "delete", value: { path: "/q" } },
      ),
    ).toEqual([Code.OK, Code.OK, Code.NotEmpty]);
    expect(run()).toEqual([]);
    expect(h.error((z) => h.prep.multi({ ops: [{ op: undefined }] }, h.ctx(), z)).code).toBe(
      Code.BadArguments,
    );
  });
});
