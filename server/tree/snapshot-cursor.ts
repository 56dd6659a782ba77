import type { SnapshotNodeRecord } from "../util/snapshot-node-record.js";
import { isNullData, type StoredData } from "./bytes.js";
import type { NodeChangeListener, TreeStore } from "./tree-store.js";
import { S, type Znode } from "./znode.js";

export type { SnapshotNodeRecord };

/** One node of a snapshot; `data` in stored form (latin1 string or bytes). */
export interface SnapshotNodeView extends Omit<SnapshotNodeRecord, "data"> {
  data: StoredData;
}

/**
 * The tree's nodes exactly as they were at one zxid, read while the tree goes on changing: a
 * snapshot taken without a pause that grows with the tree (copying a million nodes' references at
 * once stalled every request for 100 to 260 ms).
 *
 * It walks the live tree, parents first, and is told by the store before any node changes or goes
 * (the store takes a node's digest terms out first, and tells the cursor there). A node not walked
 * yet keeps its state of then in `saved`, and is given from there: when the walk reaches it or,
 * for one deleted before, after the walk, shallowest first. Nodes created since are skipped with
 * their subtrees (a czxid above the cursor's zxid). A Set iterator sees deletes and adds made while
 * it runs, so the walk needs no copy of any child set.
 */
export class SnapshotCursor implements NodeChangeListener {
  /** By stat slot: the node holding it at the cursor's zxid has been given already. */
  private readonly given: Uint8Array;
  private readonly saved = new Map<Znode, SnapshotNodeView>();
  private closed = false;

  constructor(
    private readonly store: TreeStore,
    readonly zxid: number,
    /** The node count at zxid: the walk must give exactly these. */
    readonly count: number,
  ) {
    this.given = new Uint8Array(store.slab.size);
    store.addChangeListener(this);
  }

  changing(node: Znode): void {
    // Slots past `given` (and reused slots) hold nodes created after zxid, skipped by czxid.
    if (this.given[node.slot] === 1 || this.saved.has(node)) return;
    if (this.store.stat(node, S.czxid) > this.zxid) return;
    this.saved.set(node, this.record(node, blankView()));
  }

  /** Stops listening; the walk ends with it (also when the consumer stops early). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.removeChangeListener(this);
    this.saved.clear();
  }

  /** The nodes, parents first, through one reused object for live nodes: copy before the next. */
  *views(): Generator<SnapshotNodeView> {
    if (this.closed) throw new Error(`snapshot cursor at zxid ${this.zxid} read after close`);
    const v = blankView();
    const frames: Iterator<Znode>[] = [];
    let given = 0;
    try {
      let next = this.store.get("/");
      while (next !== undefined || frames.length > 0) {
        if (next === undefined) {
          const step = frames[frames.length - 1]!.next();
          if (step.done === true) frames.pop();
          else next = step.value;
          continue;
        }
        const node = next;
        next = undefined;
        const saved = this.saved.get(node);
        if (saved === undefined && this.store.stat(node, S.czxid) > this.zxid) continue;
        // Marked before the yield: whatever the consumer lets run next must not save it again.
        this.given[node.slot] = 1;
        if (saved !== undefined) this.saved.delete(node);
        if (node.children !== null) frames.push(node.children[Symbol.iterator]());
        given++;
        yield saved ?? this.record(node, v);
        if (this.closed) throw new Error("snapshot cursor closed while walking");
      }
      // Deleted before the walk reached them: a parent is always shallower than its children.
      const deleted = [...this.saved.values()].sort((a, b) => depth(a.path) - depth(b.path));
      this.saved.clear();
      for (const d of deleted) {
        given++;
        yield d;
      }
      if (given !== this.count) {
        throw new Error(`snapshot cursor at zxid ${this.zxid} gave ${given} of ${this.count} znodes`);
      }
    } finally {
      this.close();
    }
  }

  private record(node: Znode, v: SnapshotNodeView): SnapshotNodeView {
    const store = this.store;
    v.path = node.path;
    v.data = node.data;
    v.dataNull = isNullData(node.data) || undefined;
    v.aclRef = node.acl.ref;
    v.czxid = store.stat(node, S.czxid);
    v.mzxid = store.stat(node, S.mzxid);
    v.ctime = store.stat(node, S.ctime);
    v.mtime = store.stat(node, S.mtime);
    v.version = store.stat(node, S.version);
    v.cversion = store.stat(node, S.cversion);
    v.aversion = store.stat(node, S.aversion);
    v.ephemeralOwner = node.owner;
    v.pzxid = store.stat(node, S.pzxid);
    return v;
  }
}

function blankView(): SnapshotNodeView {
  return {
    path: "",
    data: "",
    dataNull: undefined,
    aclRef: 0,
    czxid: 0,
    mzxid: 0,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 0,
  };
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}
