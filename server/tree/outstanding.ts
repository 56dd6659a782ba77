import type { ACL } from "../gen/paddock/v1/data.js";
import { assert } from "../util/assert.js";

/** What prep knows of a node: the tree's view plus proposed changes. */
export interface PrepNode {
  version: number;
  /** Child creates ever (the next sequence suffix). */
  childCreates: number;
  aversion: number;
  ephemeralOwner: bigint;
  numChildren: number;
  acl: readonly ACL[];
  /** Bytes of data: a setData under a quota is checked by the change in size. */
  dataLength: number;
  /** zxids of the create, the last data change and the last child change (compare-transactions). */
  czxid: number;
  mzxid: number;
  pzxid: number;
}

/** A proposed change to one path; node null means the path is deleted by it. */
export interface ChangeRecord {
  readonly zxid: number;
  readonly path: string;
  readonly node: PrepNode | null;
}

/** Stands in for a committed record, so the queue keeps no young object alive. */
const DONE: ChangeRecord = { zxid: 0, path: "", node: null };

/** Stale entries `latest` may hold beyond its live ones before it is rebuilt. */
const STALE_MAX = 4096;

/**
 * ZooKeeper's outstandingChanges: records in zxid order plus the latest record per path. A record
 * counts until the tree has applied its zxid (committed). A multi opens an undo scope so a failed
 * multi can take back exactly its own records.
 *
 * A committed record stays in `latest` (ignored by zxid) until a newer one for its path replaces
 * it or the map is rebuilt: deleting on every commit would make the map rehash every few hundred
 * writes, and V8 links each discarded table to the next, which keeps requests alive into the old
 * generation (see OrderedQueue).
 */
export class Outstanding {
  private queue: ChangeRecord[] = [];
  private head = 0;
  private latest = new Map<string, ChangeRecord>();
  private committedZxid = 0;
  private undo: Array<[string, ChangeRecord | undefined]> | null = null;
  private mark = 0;

  get(path: string): ChangeRecord | undefined {
    const record = this.latest.get(path);
    return record !== undefined && record.zxid > this.committedZxid ? record : undefined;
  }

  add(record: ChangeRecord): void {
    this.undo?.push([record.path, this.get(record.path)]);
    this.queue.push(record);
    this.latest.set(record.path, record);
  }

  /** Latest record of every path with one (from the queue: the map also holds committed ones). */
  records(): ChangeRecord[] {
    const out: ChangeRecord[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const record = this.queue[i]!;
      if (this.latest.get(record.path) === record) out.push(record);
    }
    return out;
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  /** Paths the latest-record map holds, committed ones included (bounded; for tests). */
  get trackedPaths(): number {
    return this.latest.size;
  }

  beginScope(): void {
    assert(this.undo === null, "nested outstanding-change scope");
    this.undo = [];
    this.mark = this.queue.length;
  }

  endScope(rollback: boolean): void {
    assert(this.undo !== null, "no outstanding-change scope open");
    if (rollback) {
      this.queue.length = this.mark;
      for (let i = this.undo.length - 1; i >= 0; i--) {
        const [path, previous] = this.undo[i]!;
        if (previous === undefined) this.latest.delete(path);
        else this.latest.set(path, previous);
      }
    }
    this.undo = null;
  }

  committed(zxid: number): void {
    this.committedZxid = Math.max(this.committedZxid, zxid);
    while (this.head < this.queue.length && this.queue[this.head]!.zxid <= zxid)
      this.queue[this.head++] = DONE;
    if (this.latest.size > STALE_MAX + 2 * this.size) this.rebuild();
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  reset(): void {
    this.queue = [];
    this.head = 0;
    this.latest = new Map();
    this.undo = null;
  }

  /** A fresh map of the live records; the old one is dropped whole, never rehashed. */
  private rebuild(): void {
    const live = new Map<string, ChangeRecord>();
    for (const [path, record] of this.latest) if (record.zxid > this.committedZxid) live.set(path, record);
    this.latest = live;
  }
}
