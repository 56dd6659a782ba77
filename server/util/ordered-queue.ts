import { assert } from "./assert.js";

/**
 * Values keyed by ids that are added in increasing order and mostly taken back in the same order
 * (the waiters of proposals by zxid, of log batches by id, of forwarded requests by handle); some
 * ids are never added, a few are taken out of order. A hot-path Map would do, but a Map under
 * constant set/delete rehashes every few hundred operations and V8 links each discarded table to
 * its successor: once one table has been promoted to the old generation, that dead table keeps
 * every later table, and the requests in them, alive through scavenges, so they are promoted too
 * (measured: ~2 MB per scavenge and 3-4 ms pauses on setData). A ring of slots cleared on take
 * allocates nothing per operation and leaves nothing behind.
 */
export class OrderedQueue<T> {
  private ids: number[] = new Array(64).fill(0);
  /** undefined marks a slot taken out of order (or free). */
  private values: (T | undefined)[] = new Array(64).fill(undefined);
  private head = 0;
  /** Slots from head on, taken ones included. */
  private span = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** The oldest id still waiting, undefined when none. */
  get oldestId(): number | undefined {
    return this.live === 0 ? undefined : this.ids[this.head];
  }

  /** Adds `value` under `id`, which must exceed every id added before. */
  push(id: number, value: T): void {
    if (this.span > 0) {
      const last = this.ids[(this.head + this.span - 1) & (this.ids.length - 1)]!;
      if (!(id > last)) assert(false, `ordered queue: id ${id} after ${last}`);
    }
    if (this.span === this.ids.length) this.grow();
    const at = (this.head + this.span) & (this.ids.length - 1);
    this.ids[at] = id;
    this.values[at] = value;
    this.span++;
    this.live++;
  }

  /** The value under `id`, left in place; undefined if it is not waiting. */
  get(id: number): T | undefined {
    const at = this.slotOf(id);
    return at < 0 ? undefined : this.values[at];
  }

  /** The value under `id`, removed; undefined if it is not waiting. The oldest is found at once. */
  take(id: number): T | undefined {
    const at = this.slotOf(id);
    if (at < 0) return undefined;
    const mask = this.ids.length - 1;
    const value = this.values[at];
    if (value === undefined) return undefined;
    this.values[at] = undefined;
    this.live--;
    // Drop taken slots from the front so the head is always a waiting entry.
    while (this.span > 0 && this.values[this.head] === undefined) {
      this.head = (this.head + 1) & mask;
      this.span--;
    }
    if (this.span === 0) this.head = 0;
    return value;
  }

  /** Every waiting entry, oldest first, leaving the queue empty. */
  drain(): [number, T][] {
    const out: [number, T][] = [];
    const mask = this.ids.length - 1;
    for (let i = 0; i < this.span; i++) {
      const at = (this.head + i) & mask;
      const value = this.values[at];
      if (value !== undefined) out.push([this.ids[at]!, value]);
      this.values[at] = undefined;
    }
    this.head = 0;
    this.span = 0;
    this.live = 0;
    return out;
  }

  /** The ring slot holding `id`, -1 if none. */
  private slotOf(id: number): number {
    if (this.live === 0) return -1;
    if (this.ids[this.head] === id) return this.head;
    const mask = this.ids.length - 1;
    // Ids increase along the ring: binary search the span.
    let lo = 0;
    let hi = this.span - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const found = this.ids[(this.head + mid) & mask]!;
      if (found === id) return (this.head + mid) & mask;
      if (found < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private grow(): void {
    const size = this.ids.length;
    const ids = new Array<number>(size * 2).fill(0);
    const values = new Array<T | undefined>(size * 2).fill(undefined);
    for (let i = 0; i < this.span; i++) {
      ids[i] = this.ids[(this.head + i) & (size - 1)]!;
      values[i] = this.values[(this.head + i) & (size - 1)];
    }
    this.ids = ids;
    this.values = values;
    this.head = 0;
  }
}
