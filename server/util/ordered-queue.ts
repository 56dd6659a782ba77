import { assert } from "./assert.js";

/**
 * Values keyed by ids that are added in increasing order and taken back in the same order (the
 * waiters of proposals by zxid, of log batches by id), some ids never added. A hot-path Map would
 * do, but a Map under constant set/delete rehashes every few hundred operations and V8 links each
 * discarded table to its successor: once one table has been promoted to the old generation, that
 * dead table keeps every later table, and the requests in them, alive through scavenges, so they
 * are promoted too (measured: ~2 MB per scavenge and 3-4 ms pauses on setData). A ring of slots
 * cleared on take allocates nothing per operation and leaves nothing behind.
 */
export class OrderedQueue<T> {
  private ids: number[] = new Array(64).fill(0);
  private values: (T | undefined)[] = new Array(64).fill(undefined);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `value` under `id`, which must exceed every id added before. */
  push(id: number, value: T): void {
    if (this.count > 0) {
      const last = this.ids[(this.head + this.count - 1) & (this.ids.length - 1)]!;
      if (!(id > last)) assert(false, `ordered queue: id ${id} after ${last}`);
    }
    if (this.count === this.ids.length) this.grow();
    const at = (this.head + this.count) & (this.ids.length - 1);
    this.ids[at] = id;
    this.values[at] = value;
    this.count++;
  }

  /**
   * The value under `id` if it is the oldest one, else undefined. Ids are taken in order: an older
   * id still waiting means it was skipped, which the callers' ordering rules out.
   */
  take(id: number): T | undefined {
    if (this.count === 0) return undefined;
    const first = this.ids[this.head]!;
    if (first !== id) {
      if (first < id) assert(false, `ordered queue: ${id} taken while ${first} still waits`);
      return undefined;
    }
    const value = this.values[this.head];
    this.values[this.head] = undefined;
    this.head = (this.head + 1) & (this.ids.length - 1);
    this.count--;
    return value;
  }

  /** Every entry, oldest first, leaving the queue empty. */
  drain(): [number, T][] {
    const out: [number, T][] = [];
    const mask = this.ids.length - 1;
    for (let i = 0; i < this.count; i++) {
      const at = (this.head + i) & mask;
      out.push([this.ids[at]!, this.values[at]!]);
      this.values[at] = undefined;
    }
    this.head = 0;
    this.count = 0;
    return out;
  }

  private grow(): void {
    const size = this.ids.length;
    const ids = new Array<number>(size * 2).fill(0);
    const values = new Array<T | undefined>(size * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) {
      ids[i] = this.ids[(this.head + i) & (size - 1)]!;
      values[i] = this.values[(this.head + i) & (size - 1)];
    }
    this.ids = ids;
    this.values = values;
    this.head = 0;
  }
}
