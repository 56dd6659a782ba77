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
}

/** A proposed change to one path; node null means the path is deleted by it. */
export interface ChangeRecord {
  readonly zxid: number;
  readonly path: string;
  readonly node: PrepNode | null;
}

/**
 * ZooKeeper's outstandingChanges: records in zxid order plus the latest record per path. A record
 * leaves once the tree has applied its zxid (committed). A multi opens an undo scope so a failed
 * multi can take back exactly its own records.
 */
export class Outstanding {
  private queue: ChangeRecord[] = [];
  private head = 0;
  private readonly latest = new Map<string, ChangeRecord>();
  private undo: Array<[string, ChangeRecord | undefined]> | null = null;
  private mark = 0;

  get(path: string): ChangeRecord | undefined {
    return this.latest.get(path);
  }

  add(record: ChangeRecord): void {
    this.undo?.push([record.path, this.latest.get(record.path)]);
    this.queue.push(record);
    this.latest.set(record.path, record);
  }

  /** Latest record of every path with one. */
  records(): Iterable<ChangeRecord> {
    return this.latest.values();
  }

  get size(): number {
    return this.queue.length - this.head;
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
    while (this.head < this.queue.length && this.queue[this.head]!.zxid <= zxid) {
      const record = this.queue[this.head++]!;
      if (this.latest.get(record.path) === record) this.latest.delete(record.path);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  reset(): void {
    this.queue = [];
    this.head = 0;
    this.latest.clear();
    this.undo = null;
  }
}
