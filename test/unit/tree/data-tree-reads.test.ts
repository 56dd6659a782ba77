import { describe, expect, it } from "vitest";
import { Perms } from "../../../server/tree/acl-check.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { CONTAINER_OWNER, ttlOwner } from "../../../server/tree/ephemeral-type.js";
import { Code } from "../../../server/util/error-code.js";
import type { PaddockError } from "../../../server/util/paddock-error.js";
import { create, E, OPEN, setAcl, setData, txn } from "./txns.js";

// DataTree's read side, each answer exact: what a caller without READ is told, what getACL masks,
// which containers and TTL nodes are due, and the NodeInfo prep reads.

// digestId("bob", "pw") as ZooKeeper computes it, written out: a module-level call that threw would
// make this file report no tests at all (a sha1 mutant would then pass as "survived").
const bob = "bob:ikIaKsbtGweaHnb/jKn7OHqbunM=";
const BOB = { scheme: "digest", id: bob };
const IP = { scheme: "ip", id: "10.0.0.1" };

function thrown(f: () => unknown): PaddockError {
  try {
    f();
  } catch (e) {
    return e as PaddockError;
  }
  throw new Error("did not throw");
}

/** /r readable by bob only; /w writable (no READ) by anyone; /a ADMIN for bob, READ for anyone. */
function aclTree(): DataTree {
  const tree = new DataTree();
  tree.apply(txn(E + 1, create("/r", "data", 1, 0n, [{ perms: Perms.READ, id: BOB }])));
  tree.apply(
    txn(E + 2, create("/w", "", 2, 0n, [{ perms: Perms.WRITE, id: { scheme: "world", id: "anyone" } }])),
  );
  const acl = [
    { perms: Perms.ADMIN, id: BOB },
    { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
    { perms: Perms.WRITE, id: { scheme: "digest", id: "eve:hash\nmore:stuff" } },
    { perms: Perms.CREATE, id: { scheme: "ip", id: "fe80::1" } },
  ];
  tree.apply(txn(E + 3, create("/a", "", 3, 0n, acl)));
  return tree;
}

describe("reads with the caller's identities", () => {
  it("exists: undefined for a missing node, NoAuth naming path and READ without it, the stat with it", () => {
    const tree = aclTree();
    expect(tree.exists("/missing", [IP])).toBeUndefined();
    const e = thrown(() => tree.exists("/r", [IP]));
    expect([e.code, e.message]).toEqual([Code.NoAuth, "NoAuth for /r: READ permission required"]);
    expect(tree.exists("/r", [BOB])).toEqual(tree.statOf("/r"));
    expect(tree.exists("/r")).toMatchObject({ czxid: BigInt(E + 1), dataLength: 4 });
    expect(tree.statOf("/missing")).toBeUndefined();
  });

  it("getData, getChildren, getAllChildrenNumber: NoNode, then NoAuth for READ, in that order", () => {
    const tree = aclTree();
    for (const read of [
      (p: string) => tree.getData(p, [IP]),
      (p: string) => tree.getChildren(p, [IP]),
      (p: string) => tree.getAllChildrenNumber(p, [IP]),
    ]) {
      expect(thrown(() => read("/missing")).message).toBe("NoNode for /missing");
      expect(thrown(() => read("/w")).message).toBe("NoAuth for /w: READ permission required");
    }
    expect(tree.getData("/r", [BOB]).data.toString()).toBe("data");
    expect(tree.getChildren("/r", [BOB])).toEqual({ children: [], stat: tree.statOf("/r") });
  });

  it("getAllChildrenNumber counts every level below a node, and 0 for a leaf", () => {
    const tree = new DataTree();
    let z = E;
    for (const p of ["/x", "/x/a", "/x/b", "/x/a/1", "/x/a/2", "/x/a/2/deep", "/y"]) {
      tree.apply(txn(++z, create(p, "", 0)));
    }
    expect(tree.getAllChildrenNumber("/x", [])).toBe(5);
    expect(tree.getAllChildrenNumber("/x/a", [])).toBe(3);
    expect(tree.getAllChildrenNumber("/x/b", [])).toBe(0);
    expect(tree.getAllChildrenNumber("/", [])).toBe(10); // /zookeeper, its 2 children, 7 made here
    expect(tree.getChildren("/x", []).children.sort()).toEqual(["a", "b"]);
  });

  it("getACL: NoNode; NoAuth 'READ or ADMIN'; READ alone masks every digest id after its colon; ADMIN shows all", () => {
    const tree = aclTree();
    expect(thrown(() => tree.getACL("/missing", [BOB])).message).toBe("NoNode for /missing");
    expect(thrown(() => tree.getACL("/missing")).message).toBe("NoNode for /missing");
    const e = thrown(() => tree.getACL("/w", [IP]));
    expect([e.code, e.message]).toEqual([Code.NoAuth, "NoAuth for /w: READ or ADMIN permission required"]);
    const stat = tree.statOf("/a");
    // READ through world:anyone: digest ids lose everything after the first colon, across a line
    // break too (the hash must never show), other schemes are untouched.
    expect(tree.getACL("/a", [IP])).toEqual({
      acl: [
        { perms: Perms.ADMIN, id: { scheme: "digest", id: "bob:x" } },
        { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
        { perms: Perms.WRITE, id: { scheme: "digest", id: "eve:x" } },
        { perms: Perms.CREATE, id: { scheme: "ip", id: "fe80::1" } },
      ],
      stat,
    });
    const full = [
      { perms: Perms.ADMIN, id: BOB },
      { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
      { perms: Perms.WRITE, id: { scheme: "digest", id: "eve:hash\nmore:stuff" } },
      { perms: Perms.CREATE, id: { scheme: "ip", id: "fe80::1" } },
    ];
    expect(tree.getACL("/a", [BOB])).toEqual({ acl: full, stat });
    expect(tree.getACL("/a")).toEqual({ acl: full, stat });
    // READ without world: bob reads /r, whose only entry is his own, masked since he lacks ADMIN.
    expect(tree.getACL("/r", [BOB]).acl).toEqual([
      { perms: Perms.READ, id: { scheme: "digest", id: "bob:x" } },
    ]);
  });

  it("getACL returns copies: changing the answer changes nothing in the tree", () => {
    const tree = aclTree();
    const answer = tree.getACL("/a");
    answer.acl[0]!.perms = 0;
    answer.acl[0]!.id!.id = "changed";
    expect(tree.getACL("/a").acl[0]).toEqual({ perms: Perms.ADMIN, id: BOB });
  });

  it("skipAcl lets every read through; superDigest makes that digest a super user", () => {
    const skip = new DataTree({ skipAcl: true });
    skip.apply(txn(E + 1, create("/r", "s", 1, 0n, [{ perms: Perms.READ, id: BOB }])));
    expect(skip.skipAcl).toBe(true);
    expect(skip.getData("/r", [IP]).data.toString()).toBe("s");
    expect(skip.allows([], Perms.ALL, [])).toBe(true);
    const su = "super:lK75jTNcA+U9vtVEw5vB51mj/w4="; // digestId("super", "secret")
    const tree = new DataTree({ superDigest: su });
    tree.apply(txn(E + 1, create("/r", "s", 1, 0n, [{ perms: Perms.READ, id: BOB }])));
    expect([tree.superDigest, tree.skipAcl]).toEqual([su, false]);
    expect(tree.getData("/r", [{ scheme: "digest", id: su }]).data.toString()).toBe("s");
    expect(thrown(() => tree.getData("/r", [IP])).code).toBe(Code.NoAuth);
    expect(tree.allows([{ perms: Perms.READ, id: BOB }], Perms.READ, [IP])).toBe(false);
  });

  it("getData marks null data only: empty data is not null", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/empty", "", 1)));
    expect(tree.getData("/empty", [])).toEqual({ data: Buffer.alloc(0), stat: tree.statOf("/empty") });
    expect("dataNull" in tree.getData("/empty", [])).toBe(false);
  });
});

describe("node(): what prep reads of a node", () => {
  it("every field, with the client's cversion (2 x creates - children) and the persisted count", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/n", "abc", 1, 0x77n)));
    tree.apply(txn(E + 2, setData("/n", "abcdef", 1), 2000));
    tree.apply(txn(E + 3, setAcl("/n", OPEN, 1)));
    tree.apply(txn(E + 4, create("/p", "", 2)));
    tree.apply(txn(E + 5, create("/p/a", "", 1)));
    tree.apply(txn(E + 6, create("/p/b", "", 2)));
    tree.apply(txn(E + 7, create("/p/c", "", 3)));
    tree.apply(txn(E + 8, { $case: "delete", value: { path: "/p/b" } }));
    expect(tree.node("/n")).toEqual({
      czxid: E + 1,
      mzxid: E + 2,
      pzxid: E + 1,
      version: 1,
      cversion: 0,
      childCreates: 0,
      aversion: 1,
      ephemeralOwner: 0x77n,
      numChildren: 0,
      acl: OPEN,
      dataLength: 6,
    });
    expect(tree.node("/p")).toMatchObject({ cversion: 4, childCreates: 3, numChildren: 2, pzxid: E + 8 });
    expect(tree.node("/missing")).toBeUndefined();
  });
});

describe("sessions' ephemerals", () => {
  it("ephemeralCount sums every session's; getEphemerals sorts, filters by prefix, treats blank and ' / ' as all", () => {
    const tree = new DataTree();
    let z = E;
    for (const [p, owner] of [
      ["/b", 5n],
      ["/a", 5n],
      ["/ab", 5n],
      ["/c", 6n],
    ] as const) {
      tree.apply(txn(++z, create(p, "", z - E, owner)));
    }
    tree.apply(txn(++z, create("/persistent", "", 5)));
    expect(tree.ephemeralCount).toBe(4);
    expect(tree.getEphemerals(5n, "")).toEqual(["/a", "/ab", "/b"]);
    expect(tree.getEphemerals(5n, "  ")).toEqual(["/a", "/ab", "/b"]);
    expect(tree.getEphemerals(5n, " / ")).toEqual(["/a", "/ab", "/b"]);
    expect(tree.getEphemerals(5n, "/a")).toEqual(["/a", "/ab"]);
    expect(tree.getEphemerals(5n, "/b")).toEqual(["/b"]);
    expect(tree.getEphemerals(5n, "/z")).toEqual([]);
    expect(tree.getEphemerals(7n, "")).toEqual([]);
    expect([...tree.ephemeralsOf(6n)!]).toEqual(["/c"]);
    expect(tree.ephemeralsOf(7n)).toBeUndefined();
  });
});

describe("containers and TTL nodes due for deletion", () => {
  it("a container that had a child and has none; a TTL node idle longer than its ttl; sorted; others never", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/c2", "", 1, CONTAINER_OWNER), 100));
    tree.apply(txn(E + 2, create("/c1", "", 2, CONTAINER_OWNER), 100));
    tree.apply(txn(E + 3, create("/never", "", 3, CONTAINER_OWNER), 100));
    tree.apply(txn(E + 4, create("/t", "", 4, ttlOwner(50)), 100));
    tree.apply(txn(E + 5, create("/p", "", 5), 100));
    tree.apply(txn(E + 6, create("/e", "", 6, 0x9n), 100));
    let z = E + 6;
    for (const parent of ["/c1", "/c2", "/t"]) tree.apply(txn(++z, create(`${parent}/k`, "", 1), 100));
    // Children keep all three: a TTL node with a child is not due however old.
    expect(tree.expiredContainersAndTtls(10_000)).toEqual([]);
    for (const parent of ["/c1", "/c2"]) {
      tree.apply(txn(++z, { $case: "delete", value: { path: `${parent}/k` } }, 100));
    }
    expect(tree.expiredContainersAndTtls(150)).toEqual(["/c1", "/c2"]);
    tree.apply(txn(++z, { $case: "delete", value: { path: "/t/k" } }, 100));
    // mtime 100, ttl 50: due only when more than 50 ms have passed.
    expect(tree.expiredContainersAndTtls(150)).toEqual(["/c1", "/c2"]);
    expect(tree.expiredContainersAndTtls(151)).toEqual(["/c1", "/c2", "/t"]);
    expect(tree.deletableContainer("/t", 150)).toBe(false);
    expect(tree.deletableContainer("/t", 151)).toBe(true);
    expect(tree.deletableContainer("/never", 1e12)).toBe(false);
    expect(tree.deletableContainer("/p", 1e12)).toBe(false);
    expect(tree.deletableContainer("/e", 1e12)).toBe(false);
    expect(tree.deletableContainer("/missing", 1e12)).toBe(false);
  });
});

describe("apply", () => {
  it("outside replay a zxid at or below the last is an assertion naming both", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 5, create("/a", "", 1)));
    expect(tree.lastZxid).toBe(E + 5);
    expect(() => tree.apply(txn(E + 5, create("/b", "", 2)))).toThrow(
      `txn zxid ${E + 5} not above last applied ${E + 5}`,
    );
    expect(() => tree.apply(txn(E + 4, create("/b", "", 2)))).toThrow(
      `txn zxid ${E + 4} not above last applied ${E + 5}`,
    );
    expect(tree.exists("/b")).toBeUndefined();
    expect(tree.replaying).toBe(false);
  });

  it("keeps the approximate data size and the digest it reports current", () => {
    const tree = new DataTree();
    const size = tree.approximateDataSize;
    const digest = tree.digest;
    tree.apply(txn(E + 1, create("/abc", "12345", 1)));
    expect(tree.approximateDataSize).toBe(size + 4 + 5);
    expect(tree.digest).not.toBe(digest);
    expect(tree.nodeCount).toBe(5);
  });
});
