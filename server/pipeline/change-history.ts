import type { ACL, Stat } from "../gen/paddock/v1/data.js";
import { isNullData, loadData, type StoredData } from "../tree/bytes.js";
import type { ApplyOutcome, DataTree } from "../tree/data-tree.js";
import { clientOwner } from "../tree/ephemeral-type.js";
import { S } from "../tree/znode.js";
import { assert } from "../util/assert.js";
import { EventType } from "../util/event-type.js";

/** One node's change in a committed transaction, with what the READ filter and with_data need. */
export interface Change {
  readonly type: number;
  readonly path: string;
  /** The node's ACL when the change fired (a deleted node's last one). */
  readonly acl: readonly ACL[];
  /** Created and data-changed events: the node after the transaction (see nodeStat, nodeData). */
  readonly node?: NodeCopy;
  /** Data-changed and deleted events: the node before the transaction (before the whole multi). */
  readonly prev?: NodeCopy;
}

/**
 * What a stream's with_data needs of a node, kept as the tree holds it: stored data is never
 * changed in place, and plain numbers cost the apply step far less than a proto Stat's bigints.
 */
export interface NodeCopy {
  readonly data: StoredData;
  readonly czxid: number;
  readonly mzxid: number;
  readonly pzxid: number;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly owner: bigint;
  readonly numChildren: number;
}

export function nodeStat(node: NodeCopy): Stat {
  return {
    czxid: BigInt(node.czxid),
    mzxid: BigInt(node.mzxid),
    ctime: BigInt(node.ctime),
    mtime: BigInt(node.mtime),
    version: node.version,
    cversion: node.cversion,
    aversion: node.aversion,
    ephemeralOwner: clientOwner(node.owner),
    dataLength: node.data.length,
    numChildren: node.numChildren,
    pzxid: BigInt(node.pzxid),
  };
}

export function nodeData(node: NodeCopy): { data: Buffer; dataNull: boolean } {
  return { data: loadData(node.data), dataNull: isNullData(node.data) };
}

/** The changes of one committed transaction that changed the tree. */
export interface ChangeBatch {
  readonly zxid: number;
  readonly changes: readonly Change[];
  readonly bytes: number;
}

/** Per change beyond its path and data: the record, its stat and the array slot, roughly. */
const CHANGE_OVERHEAD_BYTES = 160;
/** Per previous node kept: its NodeCopy (the data itself is shared with the tree, counted apart). */
const PREV_OVERHEAD_BYTES = 112;

/**
 * The member's recent committed changes, for resumable watch streams (watch-streams.ts): each
 * applied transaction's watch triggers, in zxid order, bounded in bytes (zoo.cfg
 * watchHistorySize). Filled by the apply step on every member, so a follower serves streams from
 * its own applied state; at start the log after the newest snapshot is applied through the same
 * step, so the history is rebuilt from disk back to that snapshot.
 *
 * `oldest` is the zxid the history starts after: it holds every change committed after it.
 */
export class ChangeHistory {
  private batches: ChangeBatch[] = [];
  /** Index of the first live batch (evicted ones are spliced out in bulk). */
  private head = 0;
  private bytes = 0;
  private base: number;
  private last: number;

  constructor(
    private readonly bytesMax: number,
    startZxid: number,
  ) {
    assert(bytesMax >= 0, "watch history size must be >= 0");
    this.base = startZxid;
    this.last = startZxid;
  }

  /** Changes after this zxid are all held. */
  get oldest(): number {
    return this.base;
  }

  /** The last zxid recorded (applied). */
  get newest(): number {
    return this.last;
  }

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.batches.length - this.head;
  }

  /**
   * Records what transaction `zxid` changed (read from the tree just after it applied), with the
   * nodes as they were before it (`before`, from nodesBefore) on data-changed and deleted events.
   */
  record(zxid: number, outcome: ApplyOutcome, tree: DataTree, before?: ReadonlyMap<string, NodeCopy>): void {
    assert(zxid > this.last, `watch history: zxid ${zxid} after ${this.last}`);
    this.last = zxid;
    if (outcome.triggers.length === 0) return;
    const changes: Change[] = [];
    let bytes = 0;
    for (const trigger of outcome.triggers) {
      const type = trigger.type;
      const prev =
        before !== undefined && (type === EventType.NodeDataChanged || type === EventType.NodeDeleted)
          ? before.get(trigger.path)
          : undefined;
      const change = changeOf(type, trigger.path, trigger.acl, tree, prev);
      bytes += CHANGE_OVERHEAD_BYTES + 2 * change.path.length + (change.node?.data.length ?? 0);
      if (prev !== undefined) bytes += PREV_OVERHEAD_BYTES + prev.data.length;
      changes.push(change);
    }
    this.batches.push({ zxid, changes, bytes });
    this.bytes += bytes;
    // The newest batch always stays: live watchers read it from here (size 0: no resume).
    while (this.bytes > this.bytesMax && this.count > 1) {
      const dropped = this.batches[this.head]!;
      this.head++;
      this.bytes -= dropped.bytes;
      this.base = dropped.zxid;
    }
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  /** SNAP replaced the state at `zxid`: nothing before it can be replayed from here. */
  reset(zxid: number): void {
    this.batches = [];
    this.head = 0;
    this.bytes = 0;
    this.base = zxid;
    this.last = zxid;
  }

  /** Index (for `at`) of the first batch after `zxid`; `end` when there is none. */
  firstAfter(zxid: number): number {
    let lo = this.head;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.batches[mid]!.zxid <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get end(): number {
    return this.batches.length;
  }

  at(index: number): ChangeBatch | undefined {
    return index >= this.head ? this.batches[index] : undefined;
  }
}

function changeOf(
  type: number,
  path: string,
  acl: readonly ACL[],
  tree: DataTree,
  prev: NodeCopy | undefined,
): Change {
  const node =
    type === EventType.NodeCreated || type === EventType.NodeDataChanged ? copyNode(tree, path) : undefined;
  // A multi that created and then deleted the node has no data to show.
  if (node === undefined) return prev === undefined ? { type, path, acl } : { type, path, acl, prev };
  return prev === undefined ? { type, path, acl, node } : { type, path, acl, node, prev };
}

/** The node at `path` as a stream shows it (undefined when there is none). */
export function copyNode(tree: DataTree, path: string): NodeCopy | undefined {
  const store = tree.store;
  const n = store.get(path);
  if (n === undefined) return undefined;
  const numChildren = n.numChildren;
  return {
    data: n.data,
    czxid: store.stat(n, S.czxid),
    mzxid: store.stat(n, S.mzxid),
    pzxid: store.stat(n, S.pzxid),
    ctime: store.stat(n, S.ctime),
    mtime: store.stat(n, S.mtime),
    version: store.stat(n, S.version),
    // As clients see it (TreeStore.toStat): creates and deletes of children.
    cversion: (Math.imul(store.stat(n, S.cversion), 2) - numChildren) | 0,
    aversion: store.stat(n, S.aversion),
    owner: n.owner,
    numChildren,
  };
}
