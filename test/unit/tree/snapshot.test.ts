import { describe, expect, it } from "vitest";
import { DataTree } from "../../../server/tree/data-tree.js";
import { CONTAINER_OWNER, ttlOwner } from "../../../server/tree/ephemeral-type.js";
import { Code } from "../../../server/util/error-code.js";
import { Prng } from "../../../server/util/prng.js";
import { Harness } from "./harness.js";
import { create, del, E, setAcl, setData, txn } from "./txns.js";

function busyTree(): Harness {
  const h = new Harness();
  h.create("/a", 0, { data: "x".repeat(2000) });
  h.create("/a/b", 1, { ctx: h.ctx(undefined, 5n) });
  h.create("/c", 4);
  h.create("/c/k");
  h.create("/t", 5, { ttl: 500n });
  h.create("/s-", 2, { data: "\u00ff\u0001" });
  h.run((z) => h.prep.setData({ path: "/a", data: Buffer.from([0, 200, 255]) }, h.ctx(), z));
  h.run((z) =>
    h.prep.setACL({ path: "/c", acl: [{ perms: 1, id: { scheme: "ip", id: "1.2.3.4" } }] }, h.ctx(), z),
  );
  return h;
}

const restore = (tree: DataTree) =>
  DataTree.restore(tree.snapshotAcls(), tree.snapshotNodes(), tree.lastZxid);

describe("snapshot and restore", () => {
  it("restore gives an equal tree: digest, stats, data, ACLs, ephemerals, containers", () => {
    const { tree } = busyTree();
    const copy = restore(tree);
    expect(copy.digest).toBe(tree.digest);
    expect(copy.nodeCount).toBe(tree.nodeCount);
    const byPath = (t: DataTree) => [...t.snapshotNodes()].sort((x, y) => (x.path < y.path ? -1 : 1));
    expect(byPath(copy)).toEqual(byPath(tree));
    for (const path of ["/", "/a", "/a/b", "/c", "/t", "/s-0000000003", "/zookeeper"]) {
      expect(copy.exists(path)).toEqual(tree.exists(path));
      expect(copy.getACL(path)).toEqual(tree.getACL(path));
    }
    expect(copy.getData("/a", []).data).toEqual(Buffer.from([0, 200, 255]));
    expect(copy.getData("/s-0000000003", []).data).toEqual(Buffer.from("\u00ff\u0001"));
    expect(copy.getEphemerals(5n, "/")).toEqual(["/a/b"]);
    expect([...copy.containersAndTtls()].sort()).toEqual(["/c", "/t"]);
    expect(copy.replaying).toBe(true);
  });

  it("the incrementally kept digest equals a fresh computation after every random change", () => {
    const rng = new Prng(11);
    const tree = new DataTree();
    const live: string[] = [];
    let zxid = E;
    for (let i = 0; i < 600; i++) {
      const roll = rng.below(10);
      const pick = live[rng.below(Math.max(1, live.length))];
      if (roll < 4 || pick === undefined) {
        const parent = live.length > 0 && rng.below(2) === 0 ? pick! : "";
        const path = `${parent}/n${i}`;
        tree.apply(txn(++zxid, create(path, "x".repeat(rng.below(40)))));
        live.push(path);
      } else if (roll < 8) {
        tree.apply(txn(++zxid, setData(pick, rng.below(3) === 0 ? "" : `v${i}`, i)));
      } else {
        const leaf = live.filter((p) => !live.some((q) => q.startsWith(`${p}/`)));
        const victim = leaf[rng.below(leaf.length)]!;
        tree.apply(txn(++zxid, del(victim)));
        live.splice(live.indexOf(victim), 1);
      }
      expect(restore(tree).digest, `after change ${i}`).toBe(tree.digest);
    }
  });

  it("the digest depends on the state, not the history, and changes with any field", () => {
    const a = new DataTree();
    a.apply(txn(E + 1, create("/x", "1", 1)));
    a.apply(txn(E + 2, create("/y", "2", 2)));
    a.apply(txn(E + 3, del("/y")));
    const b = new DataTree();
    b.apply(txn(E + 1, create("/x", "1", 1)));
    b.apply(txn(E + 2, create("/y", "2", 2)));
    b.apply(txn(E + 3, del("/y")));
    expect(a.digest).toBe(b.digest);
    const before = a.digest;
    a.apply(txn(E + 4, setData("/x", "1", 0)));
    expect(a.digest).not.toBe(before);
    b.apply(txn(E + 4, setAcl("/x", [{ perms: 1, id: { scheme: "world", id: "anyone" } }], 0)));
    expect(b.digest).not.toBe(before);
    // Undoing a change restores the sum exactly.
    const c = new DataTree();
    const empty = c.digest;
    c.apply(txn(E + 1, create("/z", "data", 1)));
    c.apply(txn(E + 2, del("/z")));
    const d = new DataTree();
    d.apply(txn(E + 1, create("/z", "data", 1)));
    d.apply(txn(E + 2, del("/z")));
    expect(c.digest).toBe(d.digest);
    expect(c.digest).not.toBe(empty); // root pzxid and cversion moved
  });

  it("random histories: a restored copy keeps equal digests while both apply the same txns", () => {
    const rng = new Prng(42);
    const h = new Harness();
    let copy: DataTree | undefined;
    for (let i = 0; i < 400; i++) {
      const path = `/n${rng.below(6)}${rng.below(2) ? `/m${rng.below(4)}` : ""}`;
      const op = rng.below(3);
      try {
        const p = h.propose((z) =>
          op === 0
            ? h.prep.create(
                { path, data: Buffer.from(String(i)), acl: [], mode: rng.below(3), ttl: 0n },
                h.ctx(),
                z,
              )
            : op === 1
              ? h.prep.delete({ path }, h.ctx(), z)
              : h.prep.setData({ path, data: Buffer.alloc(rng.below(1500)) }, h.ctx(), z),
        );
        h.apply(p);
        copy?.apply({
          zxid: BigInt(p.zxid),
          sessionId: 0x100n,
          cxid: 0,
          origin: 0,
          originRef: 0,
          time: BigInt(h.time),
          body: p.body,
        });
      } catch (e) {
        expect((e as { code: number }).code).toBeLessThan(0);
      }
      if (i === 200) copy = restore(h.tree);
      if (copy) expect(copy.digest).toBe(h.tree.digest);
    }
  });
});

describe("replay after a fuzzy snapshot", () => {
  it("create of an existing node and delete of a missing one return the code and change nothing else", () => {
    const t = new DataTree();
    t.apply(txn(E + 1, create("/a", "1", 1)));
    t.apply(txn(E + 2, create("/a/b", "", 1)));
    const fuzzy = restore(t);
    const digest = fuzzy.digest;
    const again = fuzzy.apply(txn(E + 2, create("/a/b", "", 1)));
    expect(again).toMatchObject({ code: Code.NodeExists, path: "/a/b", triggers: [] });
    expect(fuzzy.apply(txn(E + 3, del("/gone")))).toMatchObject({ code: Code.NoNode });
    expect(fuzzy.apply(txn(E + 4, setData("/gone", "x", 1))).code).toBe(Code.NoNode);
    expect(fuzzy.digest).toBe(digest);
    expect(fuzzy.lastZxid).toBe(E + 4);
    fuzzy.finishReplay();
    expect(() => fuzzy.apply(txn(E + 4, del("/a/b")))).toThrow(/not above/);
  });

  it("a replayed create of an existing node still moves the parent's cversion/pzxid forward (ZooKeeper)", () => {
    const t = new DataTree();
    t.apply(txn(E + 1, create("/p", "", 1)));
    t.apply(txn(E + 2, create("/p/x", "", 1)));
    const fuzzy = restore(t);
    fuzzy.apply(txn(E + 3, create("/p/x", "", 5)));
    expect(fuzzy.node("/p")).toMatchObject({ childCreates: 5, pzxid: E + 3 });
  });

  it("outside replay a zxid must increase", () => {
    const t = new DataTree();
    t.apply(txn(E + 1, create("/a")));
    expect(() => t.apply(txn(E + 1, create("/b")))).toThrow(/not above/);
  });
});

describe("containers and TTL nodes", () => {
  it("DeleteContainerTxn deletes a childless container, and does nothing (no error) otherwise", () => {
    const t = new DataTree();
    t.apply(txn(E + 1, create("/c", "", 1, CONTAINER_OWNER)));
    t.apply(txn(E + 2, create("/c/x", "", 1)));
    expect(t.expiredContainersAndTtls(0)).toEqual([]);
    const busy = t.apply(txn(E + 3, { $case: "deleteContainer", value: { path: "/c" } }));
    expect(busy).toMatchObject({ code: Code.OK, result: { $case: "none" }, triggers: [] });
    t.apply(txn(E + 4, del("/c/x")));
    expect(t.expiredContainersAndTtls(0)).toEqual(["/c"]);
    const out = t.apply(txn(E + 5, { $case: "deleteContainer", value: { path: "/c" } }));
    expect(out.triggers).toMatchObject([
      { path: "/c", type: 2 },
      { path: "/", type: 4 },
    ]);
    expect(t.apply(txn(E + 6, { $case: "deleteContainer", value: { path: "/c" } })).code).toBe(Code.OK);
    expect([...t.containersAndTtls()]).toEqual([]);
  });

  it("a TTL node goes only when childless and its mtime is more than ttl before the txn time", () => {
    const t = new DataTree();
    t.apply(txn(E + 1, create("/t", "", 1, ttlOwner(100)), 1000));
    expect(t.expiredContainersAndTtls(1100)).toEqual([]);
    expect(t.expiredContainersAndTtls(1101)).toEqual(["/t"]);
    t.apply(txn(E + 2, { $case: "deleteContainer", value: { path: "/t" } }, 1100));
    expect(t.exists("/t")).toBeDefined();
    t.apply(txn(E + 3, { $case: "deleteContainer", value: { path: "/t" } }, 1101));
    expect(t.exists("/t")).toBeUndefined();
  });

  it("prep.deleteContainer counts outstanding changes", () => {
    const h = new Harness();
    h.create("/c", 4);
    h.create("/c/x");
    expect(h.prep.deleteContainer("/c", h.zxid + 1)).toBeUndefined();
    h.propose((z) => h.prep.delete({ path: "/c/x" }, h.ctx(), z));
    expect(h.prep.deleteContainer("/c", h.zxid + 1)).toEqual({
      $case: "deleteContainer",
      value: { path: "/c" },
    });
    expect(h.prep.deleteContainer("/zookeeper", h.zxid + 2)).toBeUndefined();
  });
});

describe("reads", () => {
  it('getAllChildrenNumber counts all descendants ("/": every node but the root); getEphemerals filters by prefix', () => {
    const h = busyTree();
    expect(h.tree.getAllChildrenNumber("/", [])).toBe(h.tree.nodeCount - 1);
    expect(h.tree.getAllChildrenNumber("/a", [])).toBe(1);
    h.create("/ab", 1, { ctx: h.ctx(undefined, 5n) });
    expect(h.tree.getEphemerals(5n, "/a")).toEqual(["/a/b", "/ab"]);
    expect(h.tree.getEphemerals(5n, "/a/")).toEqual(["/a/b"]);
    expect(h.tree.getEphemerals(5n, "")).toEqual(["/a/b", "/ab"]);
    expect(h.tree.getEphemerals(6n, "/")).toEqual([]);
    expect(() => h.tree.getData("/nope", [])).toThrow(/NoNode/);
  });
});
