import { describe, expect, it } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { ChangeHistory, copyNode, nodeData, nodeStat } from "../../../server/pipeline/change-history.js";
import { nodesBefore } from "../../../server/pipeline/prev-nodes.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { ttlOwner } from "../../../server/tree/ephemeral-type.js";
import { AssertionError } from "../../../server/util/assert.js";
import { create, del, E, setData, txn } from "../tree/txns.js";

// The watch history on a real tree: what each change keeps, its byte accounting (the bound of
// watchHistorySize), eviction from the front, the index used by streams, and reset on SNAP.

function setup(bytesMax = 1 << 20) {
  const tree = new DataTree();
  const history = new ChangeHistory(bytesMax, tree.lastZxid);
  let zxid = E;
  const apply = (body: Txn["body"], sessionId = 0n): number => {
    zxid++;
    const t = txn(zxid, body, 1000 + zxid - E, sessionId);
    const before = nodesBefore(t, tree);
    history.record(zxid, tree.apply(t), tree, before);
    return zxid;
  };
  return { tree, history, apply };
}

const batches = (h: ChangeHistory) => {
  const out = [];
  for (let i = h.firstAfter(-1); i < h.end; i++) out.push(h.at(i)!);
  return out;
};

describe("copyNode, nodeStat and nodeData", () => {
  it("show a node as the tree's own Stat does, for every kind of owner", () => {
    const { tree, apply } = setup();
    apply(create("/p", "parent"));
    apply(create("/p/a", ""));
    apply(create("/p/b", "x"));
    apply(del("/p/a"));
    apply(setData("/p", "again", 1));
    apply(create("/p/e", "eph", -1, 0x55n));
    apply(create("/p/t", "ttl", -1, ttlOwner(5000)));
    for (const path of ["/p", "/p/b", "/p/e", "/p/t", "/"]) {
      expect(nodeStat(copyNode(tree, path)!)).toEqual(tree.statOf(path));
    }
    // Four creates and one delete of children: cversion 5 as clients see it, three children left.
    expect(copyNode(tree, "/p")).toMatchObject({ cversion: 5, numChildren: 3, version: 1 });
    expect(copyNode(tree, "/p/e")?.owner).toBe(0x55n);
    expect(nodeStat(copyNode(tree, "/p/t")!).ephemeralOwner).toBe(0n);
    expect(copyNode(tree, "/none")).toBeUndefined();
  });

  it("give the data, and dataNull only for null data", () => {
    const { tree, apply } = setup();
    apply(create("/d", "bytes"));
    apply(create("/n", ""));
    expect(nodeData(copyNode(tree, "/d")!)).toEqual({ data: Buffer.from("bytes"), dataNull: false });
    expect(nodeData(copyNode(tree, "/n")!)).toEqual({ data: Buffer.alloc(0), dataNull: false });
    apply({ $case: "setData", value: { path: "/n", data: Buffer.alloc(0), version: 1, dataNull: true } });
    expect(nodeData(copyNode(tree, "/n")!)).toEqual({ data: Buffer.alloc(0), dataNull: true });
  });
});

describe("ChangeHistory.record", () => {
  it("keeps each trigger's type, path, ACL, the node after and the node before where they apply", () => {
    const { tree, history, apply } = setup();
    const made = apply(create("/a", "one"));
    const changed = apply(setData("/a", "two", 1));
    const gone = apply(del("/a"));
    const [c, s, d] = batches(history);
    expect(c!.zxid).toBe(made);
    // Created: the node, no previous one; the parent's children event neither.
    expect(c!.changes.map((x) => [x.type, x.path, x.node !== undefined, x.prev !== undefined])).toEqual([
      [1, "/a", true, false],
      [4, "/", false, false],
    ]);
    expect(c!.changes[0]!.acl).toEqual(tree.getACL("/").acl);
    expect(s!.zxid).toBe(changed);
    expect(
      s!.changes.map((x) => [x.type, nodeData(x.node!).data.toString(), nodeData(x.prev!).data.toString()]),
    ).toEqual([[3, "two", "one"]]);
    expect(d!.zxid).toBe(gone);
    expect(
      d!.changes.map((x) => [x.type, x.path, x.node, x.prev && nodeData(x.prev).data.toString()]),
    ).toEqual([
      [2, "/a", undefined, "two"],
      [4, "/", undefined, undefined],
    ]);
  });

  it("keeps no previous node without `before`, nor on creates and children events", () => {
    const { tree, history } = setup();
    tree.apply(txn(E + 1, create("/a", "one")));
    history.record(
      E + 1,
      { zxid: E + 1, code: 0, path: "/a", result: undefined, triggers: [] } as never,
      tree,
    );
    const t = txn(E + 2, setData("/a", "two", 1));
    history.record(E + 2, tree.apply(t), tree);
    expect(batches(history).map((b) => b.changes.map((c) => c.prev))).toEqual([[undefined]]);
    // A `before` naming a node does not attach it to a create or a children event.
    const before = new Map([
      ["/b", copyNode(tree, "/a")!],
      ["/", copyNode(tree, "/")!],
    ]);
    history.record(E + 3, tree.apply(txn(E + 3, create("/b", ""))), tree, before);
    expect(
      batches(history)
        .at(-1)!
        .changes.map((c) => [c.path, c.prev]),
    ).toEqual([
      ["/b", undefined],
      ["/", undefined],
    ]);
  });

  it("counts 160 bytes a change plus its path twice and its data, and 112 plus the data of a previous node", () => {
    const { history, apply } = setup();
    apply(create("/abc", "12345"));
    // The create: 160 + 8 + 5; the root's children event: 160 + 2.
    expect(history.size).toBe(160 + 8 + 5 + 160 + 2);
    expect(batches(history)[0]!.bytes).toBe(history.size);
    apply(setData("/abc", "1234567", 1));
    // The change: 160 + 8 + 7; its previous node: 112 + 5.
    expect(batches(history)[1]!.bytes).toBe(160 + 8 + 7 + 112 + 5);
    expect(history.size).toBe(335 + 292);
  });

  it("moves newest on every zxid, also one that changed nothing, and refuses one not after it", () => {
    const { tree, history } = setup();
    const none = { zxid: E + 1, code: 0, path: "", result: undefined, triggers: [] } as never;
    history.record(E + 1, none, tree);
    expect([history.newest, history.oldest, history.count, history.size]).toEqual([E + 1, 0, 0, 0]);
    expect(() => history.record(E + 1, none, tree)).toThrow(AssertionError);
    expect(() => history.record(E + 1, none, tree)).toThrow(`watch history: zxid ${E + 1} after ${E + 1}`);
    expect(() => new ChangeHistory(-1, 0)).toThrow("watch history size must be >= 0");
    expect(new ChangeHistory(0, 7).oldest).toBe(7);
  });
});

describe("ChangeHistory bounds", () => {
  it("drops the oldest batches past bytesMax, exactly at the bound kept; oldest is the last dropped", () => {
    // Each setData of "/k" with 1 byte: 160 + 4 + 1 + 112 + 1 = 278 bytes.
    const { history, apply } = setup(3 * 278);
    const first = apply(create("/k", "0"));
    // The create (160 + 4 + 1, and 162 for the root's children event) goes at the second set.
    const z1 = apply(setData("/k", "1", 1));
    const z2 = apply(setData("/k", "2", 2));
    expect([history.count, history.size, history.oldest]).toEqual([2, 2 * 278, first]);
    const z3 = apply(setData("/k", "3", 3));
    expect([history.count, history.size, history.oldest]).toEqual([3, 3 * 278, first]);
    expect(batches(history).map((b) => b.zxid)).toEqual([z1, z2, z3]);
    const z4 = apply(setData("/k", "4", 4));
    expect([history.count, history.size, history.oldest]).toEqual([3, 3 * 278, z1]);
    expect(batches(history).map((b) => b.zxid)).toEqual([z2, z3, z4]);
  });

  it("always keeps the newest batch, even over the bound", () => {
    const { history, apply } = setup(0);
    apply(create("/a", ""));
    const last = apply(create("/b", ""));
    expect([history.count, history.oldest]).toEqual([1, last - 1]);
    expect(batches(history).map((b) => b.zxid)).toEqual([last]);
  });

  it("finds the first batch after a zxid, past evicted ones, also after the array is compacted", () => {
    // 1 byte of data per set: each batch is 278 bytes; hold two.
    const { history, apply } = setup(2 * 278);
    apply(create("/k", "0"));
    const zxids: number[] = [];
    for (let i = 1; i <= 3000; i++) zxids.push(apply(setData("/k", `${i % 10}`, i)));
    const [a, b] = zxids.slice(-2);
    expect(history.count).toBe(2);
    // Compacted well before 3000 evictions: indexes stay small.
    expect(history.end).toBeLessThan(2100);
    expect(history.at(history.firstAfter(0))!.zxid).toBe(a);
    expect(history.at(history.firstAfter(a! - 1))!.zxid).toBe(a);
    expect(history.at(history.firstAfter(a!))!.zxid).toBe(b);
    expect(history.firstAfter(b!)).toBe(history.end);
    expect(history.at(history.end)).toBeUndefined();
    expect(history.at(history.firstAfter(0) - 1)).toBeUndefined();
  });

  it("compacts once more than 1024 batches are evicted and they are over half the array", () => {
    const { history, apply } = setup(278);
    apply(create("/k", "0"));
    // One batch held: after n sets, n evicted of n + 1.
    for (let i = 1; i <= 1024; i++) apply(setData("/k", "x", i));
    expect(history.end).toBe(1025);
    apply(setData("/k", "x", 1025));
    expect([history.end, history.count]).toEqual([1, 1]);
    expect(history.at(0)?.zxid).toBe(history.newest);
    for (let i = 1026; i <= 2049; i++) apply(setData("/k", "x", i));
    expect(history.end).toBe(1025);
    apply(setData("/k", "x", 2050));
    expect(history.end).toBe(1);
  });

  it("does not compact while fewer are evicted than held", () => {
    // 1,100 sets held (278 bytes each); the create (327) goes first.
    const { history, apply } = setup(1100 * 278);
    apply(create("/k", "0"));
    for (let i = 1; i <= 2150; i++) apply(setData("/k", "x", i));
    // 1,051 evicted of 2,151: more than 1,024 but not half.
    expect([history.end, history.count]).toEqual([2151, 1100]);
    for (let i = 2151; i <= 2200; i++) apply(setData("/k", "x", i));
    expect([history.end, history.count]).toEqual([1100, 1100]);
    expect(history.at(history.firstAfter(0))?.zxid).toBe(history.oldest + 1);
  });

  it("reset empties it at the SNAP's zxid", () => {
    const { history, apply } = setup();
    apply(create("/a", ""));
    apply(create("/b", ""));
    history.reset(E + 50);
    expect([history.count, history.size, history.oldest, history.newest, history.end]).toEqual([
      0,
      0,
      E + 50,
      E + 50,
      0,
    ]);
    expect(history.firstAfter(0)).toBe(0);
  });
});
