import { describe, expect, it } from "vitest";
import { isNullData } from "../../../server/tree/bytes.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { CONTAINER_OWNER, ttlOwner } from "../../../server/tree/ephemeral-type.js";
import type { TreeStore, WatchTrigger } from "../../../server/tree/tree-store.js";
import { S } from "../../../server/tree/znode.js";
import { AssertionError } from "../../../server/util/assert.js";
import { Code } from "../../../server/util/error-code.js";

// TreeStore's primitive mutations on their own (found by mutation testing, docs/TESTING.md): the
// refusals, setCversionPzxid's only-forward rule, a replayed delete of a subtree, the assertions
// that guard its invariants, the ephemeral index, approximate_data_size and pinned digests.

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const bytes = (s: string) => Buffer.from(s);

function store(): TreeStore {
  return new DataTree().store;
}

function create(
  s: TreeStore,
  path: string,
  zxid: number,
  opts: { data?: string; owner?: bigint; cversion?: number } = {},
) {
  const triggers: WatchTrigger[] = [];
  const code = s.createNode(
    path,
    bytes(opts.data ?? ""),
    OPEN,
    opts.owner ?? 0n,
    opts.cversion ?? -1,
    zxid,
    zxid * 10,
    triggers,
  );
  return { code, triggers };
}

const statOf = (s: TreeStore, path: string) => {
  const node = s.get(path)!;
  return { cversion: s.stat(node, S.cversion), pzxid: s.stat(node, S.pzxid) };
};

describe("createNode", () => {
  it("refuses the root and a path whose parent is missing, changing nothing", () => {
    const s = store();
    const before = s.digest;
    const root = statOf(s, "/");
    expect(create(s, "/", 5)).toEqual({ code: Code.NoNode, triggers: [] });
    expect(create(s, "/none/child", 6)).toEqual({ code: Code.NoNode, triggers: [] });
    expect(s.get("/none/child")).toBeUndefined();
    expect(statOf(s, "/")).toEqual(root);
    expect(s.digest).toBe(before);
  });

  it("moves the parent's cversion and pzxid forward only: -1 is one more than now", () => {
    const s = store();
    create(s, "/p", 1);
    create(s, "/p/a", 2);
    expect(statOf(s, "/p")).toEqual({ cversion: 1, pzxid: 2 });
    create(s, "/p/b", 3, { cversion: 5 });
    expect(statOf(s, "/p")).toEqual({ cversion: 5, pzxid: 3 });
    // Not above the current cversion (replay after a fuzzy snapshot): the parent keeps its stat.
    create(s, "/p/c", 4, { cversion: 5 });
    create(s, "/p/d", 5, { cversion: 2 });
    expect(statOf(s, "/p")).toEqual({ cversion: 5, pzxid: 3 });
    expect(create(s, "/p/a", 6)).toMatchObject({ code: Code.NodeExists });
    expect(statOf(s, "/p")).toEqual({ cversion: 6, pzxid: 6 });
  });

  it("stores the data given, not null data, unless asked (also setData)", () => {
    const s = store();
    create(s, "/e", 1);
    expect(isNullData(s.get("/e")!.data)).toBe(false);
    expect(s.setData("/e", bytes(""), 1, 2, 20, [])).toBe(Code.OK);
    expect(isNullData(s.get("/e")!.data)).toBe(false);
    expect(s.setData("/e", bytes(""), 2, 3, 30, [], true)).toBe(Code.OK);
    expect(isNullData(s.get("/e")!.data)).toBe(true);
  });
});

describe("insert", () => {
  it("a path inserted twice is a broken invariant", () => {
    const s = store();
    expect(() => s.insert("/zookeeper", "", s.acls.acquire(OPEN), 0n, [0, 0, 0, 0, 0, 0, 0, 0])).toThrow(
      new AssertionError("node /zookeeper inserted twice"),
    );
  });
});

describe("deleteNode", () => {
  it("never deletes the root", () => {
    expect(() => store().deleteNode("/", 1, [], false)).toThrow(
      new AssertionError("the root is never deleted"),
    );
  });

  it("a node with children outside replay is a broken invariant; in replay its subtree goes", () => {
    const s = store();
    create(s, "/a", 1);
    create(s, "/a/b", 2);
    create(s, "/a/b/c", 3);
    expect(() => s.deleteNode("/a", 4, [], false)).toThrow(
      new AssertionError("delete of /a with 1 children outside replay"),
    );
    const triggers: WatchTrigger[] = [];
    expect(s.deleteNode("/a", 4, triggers, true)).toBe(Code.OK);
    expect(["/a", "/a/b", "/a/b/c"].map((p) => s.get(p))).toEqual([undefined, undefined, undefined]);
    // Only the node asked for fires; its descendants' creates are replayed later.
    expect(triggers.map((t) => [t.path, t.type])).toEqual([
      ["/a", 2],
      ["/", 4],
    ]);
    expect(s.approximateDataSize).toBe(store().approximateDataSize);
  });

  it("a parent left without children holds no Set; pzxid only moves forward", () => {
    const s = store();
    create(s, "/p", 1);
    create(s, "/p/a", 8);
    create(s, "/p/b", 9);
    expect(s.deleteNode("/p/a", 5, [], true)).toBe(Code.OK);
    expect(statOf(s, "/p")).toEqual({ cversion: 2, pzxid: 9 });
    expect(s.deleteNode("/p/b", 12, [], false)).toBe(Code.OK);
    expect(statOf(s, "/p")).toEqual({ cversion: 2, pzxid: 12 });
    expect(s.get("/p")!.children).toBeNull();
  });

  it("a node whose parent is missing or childless is a broken invariant", () => {
    const s = store();
    const acl = s.acls.acquire(OPEN);
    s.insert("/x/y", "", acl, 0n, [1, 1, 1, 0, 0, 0, 0, 0]);
    expect(() => s.deleteNode("/x/y", 2, [], false)).toThrow(new AssertionError("parent of /x/y missing"));
    s.insert("/x", "", s.acls.acquire(OPEN), 0n, [1, 1, 1, 0, 0, 0, 0, 0]);
    expect(() => s.deleteNode("/x/y", 2, [], false)).toThrow(new AssertionError("parent of /x/y missing"));
  });

  it("an ephemeral missing from the session index is a broken invariant", () => {
    const s = store();
    create(s, "/e", 1, { owner: 0x42n });
    s.ephemerals.delete(0x42n);
    expect(() => s.deleteNode("/e", 2, [], false)).toThrow(new AssertionError("ephemeral /e not indexed"));
  });
});

describe("the ephemeral index", () => {
  it("holds sessions' ephemerals only, not containers, TTL nodes or persistent ones", () => {
    const s = store();
    create(s, "/c", 1, { owner: CONTAINER_OWNER });
    create(s, "/t", 2, { owner: ttlOwner(500) });
    create(s, "/p", 3);
    create(s, "/e1", 4, { owner: 0x42n });
    create(s, "/e2", 5, { owner: 0x42n });
    expect([...s.ephemerals.keys()]).toEqual([0x42n]);
    expect([...s.ephemerals.get(0x42n)!.paths]).toEqual(["/e1", "/e2"]);
    expect([...s.containers]).toEqual(["/c", "/t"]);
    s.deleteNode("/e1", 6, [], false);
    s.deleteNode("/e2", 7, [], false);
    expect(s.ephemerals.size).toBe(0);
  });
});

describe("approximate_data_size and the digest", () => {
  it("count path and data lengths, and hash to pinned values (snapshots carry the digest)", () => {
    const s = store();
    const empty = { size: s.approximateDataSize, digest: s.digest };
    // "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config", all without data.
    expect(empty.size).toBe(1 + 10 + 16 + 17);
    create(s, "/a", 1, { data: "xyz" });
    create(s, "/b", 2);
    expect(s.approximateDataSize).toBe(empty.size + 2 + 3 + 2);
    expect(s.digest.toString(16)).toBe(PINNED_TWO_NODES);
    s.setData("/a", bytes("hello"), 1, 3, 30, []);
    expect(s.approximateDataSize).toBe(empty.size + 2 + 5 + 2);
    expect(s.digest.toString(16)).toBe(PINNED_AFTER_SET);
    s.deleteNode("/a", 4, [], false);
    s.deleteNode("/b", 5, [], false);
    expect(s.approximateDataSize).toBe(empty.size);
    expect(s.digest.toString(16)).toBe(PINNED_AFTER_DELETES);
    expect(empty.digest.toString(16)).toBe(PINNED_EMPTY);
  });
});

const PINNED_EMPTY = "d7d118aa81be32b";
const PINNED_TWO_NODES = "342bfbd05322d620";
const PINNED_AFTER_SET = "a0dbdd3bf337c80d";
// Not the empty tree's: the root's cversion and pzxid moved.
const PINNED_AFTER_DELETES = "935687d1e0c4a99e";
