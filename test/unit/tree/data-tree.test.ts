import { describe, expect, it } from "vitest";
import { DataTree } from "../../../server/tree/data-tree.js";
import { CONTAINER_OWNER, ttlOwner } from "../../../server/tree/ephemeral-type.js";
import { Code } from "../../../server/util/error-code.js";
import { create, del, E, OPEN, setAcl, setData, txn } from "./txns.js";

const statOf = (tree: DataTree, path: string) => {
  const s = tree.exists(path);
  if (s === undefined) throw new Error(`no ${path}`);
  return s;
};

describe("DataTree initial nodes (ZooKeeper 3.8.0 fresh server)", () => {
  it("has /, /zookeeper, /zookeeper/quota, /zookeeper/config with ZooKeeper's stats and ACLs", () => {
    const tree = new DataTree();
    expect(tree.nodeCount).toBe(4);
    expect(tree.lastZxid).toBe(0);
    // zkCli on 3.8.0: "/" cversion -1 numChildren 1; "/zookeeper" cversion -2 numChildren 2.
    expect(statOf(tree, "/")).toMatchObject({
      czxid: 0n,
      mzxid: 0n,
      pzxid: 0n,
      cversion: -1,
      numChildren: 1,
    });
    expect(statOf(tree, "/zookeeper")).toMatchObject({
      cversion: -2,
      numChildren: 2,
      version: 0,
      aversion: 0,
    });
    expect(statOf(tree, "/zookeeper/quota")).toMatchObject({ cversion: 0, numChildren: 0 });
    expect(statOf(tree, "/zookeeper/config")).toMatchObject({ aversion: -1, dataLength: 0 });
    expect(tree.getACL("/zookeeper/config").acl).toEqual([
      { perms: 1, id: { scheme: "world", id: "anyone" } },
    ]);
    expect(tree.getACL("/").acl).toEqual(OPEN);
    expect(tree.getChildren("/zookeeper", []).children.sort()).toEqual(["config", "quota"]);
  });
});

describe("DataTree stat fields per op", () => {
  it("create sets czxid=mzxid=pzxid=zxid, ctime=mtime=time, versions 0; parent cversion/pzxid move", () => {
    const tree = new DataTree();
    const out = tree.apply(txn(E + 1, create("/a", "hello", 1), 5000));
    expect(out.code).toBe(Code.OK);
    expect(out.triggers).toMatchObject([
      { path: "/a", type: 1 },
      { path: "/", type: 4 },
    ]);
    const stat = {
      czxid: BigInt(E + 1),
      mzxid: BigInt(E + 1),
      pzxid: BigInt(E + 1),
      ctime: 5000n,
      mtime: 5000n,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
    };
    expect(out.result).toEqual({ $case: "create", value: { path: "/a", stat } });
    expect(statOf(tree, "/a")).toEqual(stat);
    // Root: persisted cversion 0 -> 1, 2 children: clients see 2*1-2 = 0.
    expect(statOf(tree, "/")).toMatchObject({ pzxid: BigInt(E + 1), cversion: 0, numChildren: 2, mzxid: 0n });
    expect(tree.getData("/a", []).data.toString()).toBe("hello");
  });

  it("setData bumps version, mzxid, mtime only; setACL bumps aversion only; delete moves parent pzxid", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/a", "x", 1), 100));
    const sd = tree.apply(txn(E + 2, setData("/a", "yy", 1), 200));
    expect(sd.triggers).toMatchObject([{ path: "/a", type: 3 }]);
    expect(statOf(tree, "/a")).toMatchObject({
      czxid: BigInt(E + 1),
      mzxid: BigInt(E + 2),
      pzxid: BigInt(E + 1),
      ctime: 100n,
      mtime: 200n,
      version: 1,
      dataLength: 2,
    });
    const sa = tree.apply(
      txn(E + 3, setAcl("/a", [{ perms: 1, id: { scheme: "world", id: "anyone" } }], 1), 300),
    );
    expect(sa.triggers).toMatchObject([]);
    expect(statOf(tree, "/a")).toMatchObject({ mzxid: BigInt(E + 2), mtime: 200n, version: 1, aversion: 1 });
    expect(sa.result).toMatchObject({ $case: "setAcl", value: { stat: { aversion: 1 } } });
    tree.apply(txn(E + 4, create("/a/b", "", 1), 400));
    expect(statOf(tree, "/a")).toMatchObject({
      cversion: 1,
      pzxid: BigInt(E + 4),
      numChildren: 1,
      mzxid: BigInt(E + 2),
    });
    const d = tree.apply(txn(E + 5, del("/a/b"), 500));
    expect(d.triggers).toMatchObject([
      { path: "/a/b", type: 2 },
      { path: "/a", type: 4 },
    ]);
    // ZooKeeper: delete changes the cversion clients see (2 creates-deletes) and pzxid.
    expect(statOf(tree, "/a")).toMatchObject({ cversion: 2, pzxid: BigInt(E + 5), numChildren: 0 });
    expect(tree.node("/a")?.childCreates).toBe(1);
  });

  it("ephemeral, container and TTL owners: Stat shows 0 for containers and TTL (as ZooKeeper)", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/e", "", 1, 0x1234n)));
    tree.apply(txn(E + 2, create("/c", "", 2, CONTAINER_OWNER)));
    tree.apply(txn(E + 3, create("/t", "", 3, ttlOwner(1000))));
    expect(statOf(tree, "/e").ephemeralOwner).toBe(0x1234n);
    expect(statOf(tree, "/c").ephemeralOwner).toBe(0n);
    expect(statOf(tree, "/t").ephemeralOwner).toBe(0n);
    expect(tree.node("/c")?.ephemeralOwner).toBe(-9223372036854775808n);
    expect(BigInt.asUintN(64, tree.node("/t")!.ephemeralOwner)).toBe(0xff00000000000000n | 1000n);
    expect([...tree.ephemeralsOf(0x1234n)!]).toEqual(["/e"]);
    expect([...tree.containersAndTtls()].sort()).toEqual(["/c", "/t"]);
  });
});
