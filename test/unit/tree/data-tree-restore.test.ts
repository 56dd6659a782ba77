import { describe, expect, it } from "vitest";
import type { SnapshotNode } from "../../../server/gen/paddock/internal/v1/snapshot.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { create, E, OPEN, setData, txn } from "./txns.js";

// DataTree.restore from snapshot records as the decoder hands them (int64 fields as bigint), the
// records a snapshot writes, and replaceWith (ZAB's SNAP), each with exact values.

const READ_ONLY = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];

function record(path: string, fields: Partial<SnapshotNode> = {}): SnapshotNode {
  return {
    path,
    data: Buffer.alloc(0),
    aclRef: 1,
    czxid: 0n,
    mzxid: 0n,
    ctime: 0n,
    mtime: 0n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 0n,
    ...fields,
  };
}

describe("DataTree.restore", () => {
  it("reads a decoded snapshot's bigint fields into the same stats, and starts replaying at its zxid", () => {
    const tree = DataTree.restore(
      [{ ref: 1, acl: OPEN }],
      [
        record("/", { cversion: 1, pzxid: BigInt(E + 2) }),
        record("/a", {
          data: Buffer.from("xyz"),
          czxid: BigInt(E + 1),
          mzxid: BigInt(E + 3),
          ctime: 1_700_000_000_000n,
          mtime: 1_700_000_000_500n,
          version: 4,
          cversion: 2,
          aversion: 1,
          ephemeralOwner: 0x55n,
          pzxid: BigInt(E + 2),
        }),
      ],
      E + 7,
    );
    expect(tree.statOf("/a")).toEqual({
      czxid: BigInt(E + 1),
      mzxid: BigInt(E + 3),
      ctime: 1_700_000_000_000n,
      mtime: 1_700_000_000_500n,
      version: 4,
      cversion: 4,
      aversion: 1,
      ephemeralOwner: 0x55n,
      dataLength: 3,
      numChildren: 0,
      pzxid: BigInt(E + 2),
    });
    expect(tree.statOf("/")).toMatchObject({ cversion: 1, numChildren: 1, pzxid: BigInt(E + 2) });
    expect([tree.lastZxid, tree.replaying, tree.nodeCount]).toEqual([E + 7, true, 2]);
    expect(tree.getEphemerals(0x55n, "/")).toEqual(["/a"]);
    // Replaying: a txn at or below the snapshot's zxid is taken, and lastZxid never goes back.
    tree.apply(txn(E + 2, setData("/a", "q", 5)));
    expect(tree.lastZxid).toBe(E + 7);
    tree.finishReplay();
    expect(tree.replaying).toBe(false);
    expect(() => tree.apply(txn(E + 7, setData("/a", "r", 6)))).toThrow(
      `txn zxid ${E + 7} not above last applied ${E + 7}`,
    );
  });

  it("keeps null data apart from empty data, and takes the options", () => {
    const tree = DataTree.restore(
      [{ ref: 1, acl: OPEN }],
      [record("/"), record("/null", { dataNull: true }), record("/empty", { dataNull: false })],
      E,
      { skipAcl: true, superDigest: "super:abc" },
    );
    expect(tree.getData("/null", []).dataNull).toBe(true);
    expect(tree.getData("/empty", []).dataNull).toBeUndefined();
    expect([tree.skipAcl, tree.superDigest]).toEqual([true, "super:abc"]);
  });

  it("a node before its parent, or no root, is an assertion naming it", () => {
    const acls = [{ ref: 1, acl: OPEN }];
    expect(() => DataTree.restore(acls, [record("/"), record("/a/b")], E)).toThrow(
      "snapshot lists /a/b before its parent",
    );
    expect(() => DataTree.restore(acls, [], E)).toThrow("snapshot has no root");
  });

  it("drops ACLs no node uses, keeps those in use, and finds quotas from the limits nodes", () => {
    const tree = DataTree.restore(
      [
        { ref: 1, acl: OPEN },
        { ref: 2, acl: READ_ONLY },
        { ref: 3, acl: [{ perms: 2, id: { scheme: "ip", id: "1.2.3.4" } }] },
      ],
      [
        record("/"),
        record("/zookeeper"),
        record("/zookeeper/quota"),
        record("/zookeeper/quota/q"),
        record("/zookeeper/quota/q/zookeeper_limits", { data: Buffer.from("count=5,bytes=-1") }),
        record("/zookeeper/quota/q/zookeeper_stats", { data: Buffer.from("count=1,bytes=0") }),
        record("/q", { aclRef: 2 }),
      ],
      E,
    );
    expect([...tree.snapshotAcls()].map((a) => a.ref).sort()).toEqual([1, 2]);
    expect(tree.getACL("/q").acl).toEqual(READ_ONLY);
    expect(tree.quota.size).toBe(1);
    expect(tree.quota.rootOf("/q/x")).toBe("/q");
  });
});

describe("the records a snapshot is written from", () => {
  it("snapshotNodes: parents first, every field as numbers, dataNull only for null data", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/a", "hi", 1, 0x9n), 500));
    const nodes = [...tree.snapshotNodes()];
    expect(nodes.map((n) => n.path)).toEqual(["/", ...nodes.slice(1).map((n) => n.path)]);
    const a = nodes.find((n) => n.path === "/a")!;
    expect(a).toEqual({
      path: "/a",
      data: Buffer.from("hi"),
      dataNull: undefined,
      aclRef: tree.snapshotAcls()[Symbol.iterator]().next().value!.ref,
      czxid: E + 1,
      mzxid: E + 1,
      ctime: 500,
      mtime: 500,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0x9n,
      pzxid: E + 1,
    });
    for (const path of ["/zookeeper", "/zookeeper/quota", "/zookeeper/config"]) {
      const i = nodes.findIndex((n) => n.path === path);
      const parent = nodes.findIndex((n) => n.path === path.slice(0, path.lastIndexOf("/")) || "/");
      expect(i).toBeGreaterThan(parent);
    }
  });

  it("snapshotAcls: copies, so a later change to an answer changes nothing in the tree", () => {
    const tree = new DataTree();
    const first = [...tree.snapshotAcls()];
    const fresh = first.map((a) => ({ ref: a.ref, acl: a.acl.map((e) => ({ ...e })) }));
    expect(first.map((a) => a.acl).sort((x, y) => x[0]!.perms - y[0]!.perms)).toEqual([READ_ONLY, OPEN]);
    for (const a of first) a.acl[0]!.perms = 0;
    expect([...tree.snapshotAcls()]).toEqual(fresh);
    expect(tree.getACL("/").acl).toEqual(OPEN);
    expect(tree.getACL("/zookeeper/config").acl).toEqual(READ_ONLY);
  });
});

describe("replaceWith (ZAB's SNAP)", () => {
  it("takes over the restored tree's nodes and zxid and leaves replay", () => {
    const source = new DataTree();
    source.apply(txn(E + 3, create("/from-leader", "L", 1)));
    const restored = DataTree.restore(source.snapshotAcls(), source.snapshotNodes(), source.lastZxid);
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/mine", "", 1)));
    tree.replaceWith(restored);
    expect([tree.lastZxid, tree.replaying]).toEqual([E + 3, false]);
    expect(tree.exists("/mine")).toBeUndefined();
    expect(tree.getData("/from-leader", []).data.toString()).toBe("L");
    expect(tree.digest).toBe(source.digest);
    expect(() => tree.apply(txn(E + 3, create("/x", "", 2)))).toThrow(/not above last applied/);
  });
});
