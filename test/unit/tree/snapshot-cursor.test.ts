import { describe, expect, it } from "vitest";
import type { ACL } from "../../../server/gen/paddock/v1/data.js";
import { loadData } from "../../../server/tree/bytes.js";
import { DataTree, type SnapshotNodeRecord } from "../../../server/tree/data-tree.js";
import { SnapshotCursor, type SnapshotNodeView } from "../../../server/tree/snapshot-cursor.js";
import { Code } from "../../../server/util/error-code.js";
import { Prng } from "../../../server/util/prng.js";
import { create, del, E, OPEN, setAcl, setData, txn } from "./txns.js";

// A snapshot read while the tree changes (durability's Snapshotter) must give the tree exactly as
// it was when the cursor opened: every change between two reads is a chance to leak a newer state,
// lose a node deleted before the walk reached it, or give one twice.

const ACLS: ACL[][] = [
  OPEN,
  [{ perms: 1, id: { scheme: "ip", id: "10.0.0.1" } }],
  [{ perms: 31, id: { scheme: "digest", id: "u:x" } }],
];

/** A record as the restore reads it, data as bytes: views reuse one object, so copy each. */
const fresh = (v: SnapshotNodeView): SnapshotNodeRecord => ({ ...v, data: loadData(v.data) });
const byPath = (records: SnapshotNodeRecord[]) =>
  [...records].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
const parentOf = (path: string) => path.slice(0, Math.max(1, path.lastIndexOf("/")));

class RandomTree {
  readonly tree = new DataTree();
  zxid = E;
  private readonly deleted: string[] = [];
  private made = 0;
  constructor(private readonly rng: Prng) {}

  private apply(body: Parameters<typeof txn>[1]): number {
    return this.tree.apply(txn(++this.zxid, body)).code;
  }

  private paths(): string[] {
    return [...this.tree.snapshotNodes()].map((n) => n.path).filter((p) => !p.startsWith("/zookeeper"));
  }

  /** One random change: a create (sometimes of a path deleted earlier), delete, setData or setACL. */
  change(createsOnly = false): void {
    const paths = this.paths();
    const pick = paths[this.rng.below(paths.length)]!;
    const roll = createsOnly ? 0 : this.rng.below(10);
    if (roll < 3) {
      const again = this.rng.below(3) === 0 ? this.deleted.pop() : undefined;
      const path = again ?? `${pick === "/" ? "" : pick}/n${this.made++}`;
      const code = this.apply(create(path, "c".repeat(this.rng.below(30)), -1, 0n, ACLS[this.rng.below(3)]));
      expect([Code.OK, Code.NoNode]).toContain(code);
    } else if (roll < 6) {
      const leaves = paths.filter((p) => p !== "/" && !paths.some((q) => q.startsWith(`${p}/`)));
      if (leaves.length === 0) return;
      const victim = leaves[this.rng.below(leaves.length)]!;
      expect(this.apply(del(victim))).toBe(Code.OK);
      this.deleted.push(victim);
    } else if (roll < 9) {
      expect(this.apply(setData(pick, `d${this.zxid}`, this.zxid & 0xffff))).toBe(Code.OK);
    } else {
      expect(this.apply(setAcl(pick, ACLS[this.rng.below(3)]!, this.zxid & 0xffff))).toBe(Code.OK);
    }
  }
}

describe("SnapshotCursor", () => {
  it("gives the tree as it was at its zxid whatever changes between reads (60 seeds)", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = new Prng(seed);
      const t = new RandomTree(rng);
      for (let i = 0; i < 80; i++) t.change(true);
      for (let i = 0; i < 80; i++) t.change();
      const { tree } = t;
      const at = { zxid: tree.lastZxid, digest: tree.digest, acls: [...tree.snapshotAcls()] };
      const expected = [...tree.snapshotNodes()];
      const cursor = tree.snapshotCursor();
      const given: SnapshotNodeRecord[] = [];
      for (const v of cursor.views()) {
        given.push(fresh(v));
        for (let k = rng.below(4); k > 0; k--) t.change();
      }
      expect(tree.lastZxid, `seed ${seed}: the tree changed meanwhile`).toBeGreaterThan(at.zxid + 60);
      expect(byPath(given), `seed ${seed}`).toEqual(byPath(expected));
      const seen = new Set<string>();
      for (const r of given) {
        if (r.path !== "/")
          expect(seen.has(parentOf(r.path)), `seed ${seed}: ${r.path} before its parent`).toBe(true);
        seen.add(r.path);
      }
      expect(DataTree.restore(at.acls, given, at.zxid).digest, `seed ${seed}`).toBe(at.digest);
    }
  });

  it("gives a subtree deleted before the walk reached it, parents first, after the walk", () => {
    const t = new RandomTree(new Prng(1));
    const { tree } = t;
    for (const path of ["/a", "/a/b", "/a/b/c", "/a/b/d", "/z"])
      tree.apply(txn(++t.zxid, create(path, path)));
    const expected = [...tree.snapshotNodes()];
    const cursor = tree.snapshotCursor();
    const views = cursor.views()[Symbol.iterator]();
    const first = fresh(views.next().value!);
    expect(first.path).toBe("/");
    // The whole of /a goes, leaves first, and /a/b comes back as a new node.
    for (const path of ["/a/b/c", "/a/b/d", "/a/b", "/a"]) tree.apply(txn(++t.zxid, del(path)));
    tree.apply(txn(++t.zxid, create("/a", "new")));
    tree.apply(txn(++t.zxid, create("/a/b", "new")));
    const rest: SnapshotNodeRecord[] = [];
    for (let r = views.next(); r.done !== true; r = views.next()) rest.push(fresh(r.value));
    expect(rest.slice(-4).map((r) => r.path)).toEqual(["/a", "/a/b", "/a/b/c", "/a/b/d"]);
    expect(byPath([first, ...rest])).toEqual(byPath(expected));
  });

  it("keeps a quota's stats node as it was when a write under the quota rewrites it", () => {
    const t = new RandomTree(new Prng(4));
    const { tree } = t;
    const quota = "/zookeeper/quota/q";
    for (const [path, data] of [
      [quota, ""],
      [`${quota}/zookeeper_limits`, "count=10,bytes=-1"],
      [`${quota}/zookeeper_stats`, "count=0,bytes=0"],
      ["/q", ""],
      ["/q/x", "1"],
    ] as const) {
      tree.apply(txn(++t.zxid, create(path, data)));
    }
    const stats = () => tree.getData(`${quota}/zookeeper_stats`, []).data.toString();
    const before = stats();
    const expected = [...tree.snapshotNodes()];
    const views = tree.snapshotCursor().views()[Symbol.iterator]();
    const given = [fresh(views.next().value!)];
    tree.apply(txn(++t.zxid, setData("/q/x", "a longer value", 1)));
    expect(stats()).not.toBe(before);
    for (let r = views.next(); r.done !== true; r = views.next()) given.push(fresh(r.value));
    expect(byPath(given)).toEqual(byPath(expected));
  });

  it("stops listening when read to the end, when the reader stops early, and on close", () => {
    const t = new RandomTree(new Prng(2));
    for (let i = 0; i < 40; i++) t.change();
    const listeners = () => (t.tree.store as unknown as { listeners: unknown[] }).listeners.length;
    const whole = t.tree.snapshotCursor();
    expect(listeners()).toBe(1);
    expect([...whole.views()].length).toBe(t.tree.nodeCount);
    expect(listeners()).toBe(0);
    const early = t.tree.snapshotCursor();
    for (const _ of early.views()) break;
    expect(listeners()).toBe(0);
    const closed = t.tree.snapshotCursor();
    closed.close();
    expect(listeners()).toBe(0);
    expect(() => [...closed.views()]).toThrow(
      new Error(`snapshot cursor at zxid ${t.zxid} read after close`),
    );
  });

  it("closed while a reader is part way through, the walk ends with an error, not a short snapshot", () => {
    const t = new RandomTree(new Prng(5));
    for (let i = 0; i < 20; i++) t.change(true);
    const cursor = t.tree.snapshotCursor();
    const views = cursor.views()[Symbol.iterator]();
    expect(views.next().value?.path).toBe("/");
    cursor.close();
    expect(() => views.next()).toThrow(new Error("snapshot cursor closed while walking"));
  });

  it("refuses to end a walk that gave another count than the tree had", () => {
    const t = new RandomTree(new Prng(3));
    for (let i = 0; i < 20; i++) t.change();
    const count = t.tree.nodeCount;
    const cursor = new SnapshotCursor(t.tree.store, t.zxid, count + 1);
    expect(() => [...cursor.views()]).toThrow(
      new Error(`snapshot cursor at zxid ${t.zxid} gave ${count} of ${count + 1} znodes`),
    );
  });
});
