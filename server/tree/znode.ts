import { assert } from "../util/assert.js";
import type { AclEntry } from "./acl-cache.js";
import type { StoredData } from "./bytes.js";

/** The one shared zero owner, so persistent nodes hold no bigint of their own. */
export const NO_OWNER = 0n;

/**
 * A znode. Its numeric stat lives in the StatSlab (see there) at `slot`; the object holds only
 * references, so every field keeps one representation and V8 allocates no number boxes per node.
 * children is created on the first child. The path string is shared with the tree's path map.
 */
export class Znode {
  constructor(
    readonly path: string,
    public data: StoredData,
    public acl: AclEntry,
    readonly owner: bigint,
    readonly slot: number,
    public children: Set<Znode> | null,
  ) {}

  get numChildren(): number {
    return this.children === null ? 0 : this.children.size;
  }

  /** The child's name (the last path segment). */
  get name(): string {
    return this.path.slice(this.path.lastIndexOf("/") + 1);
  }
}

/** Column offsets of a node's stat in the slab. cversion counts child creates (see DataTree). */
export const S = {
  czxid: 0,
  mzxid: 1,
  pzxid: 2,
  ctime: 3,
  mtime: 4,
  version: 5,
  cversion: 6,
  aversion: 7,
} as const;
export const STRIDE = 8;
const HASH_STRIDE = 4;

/**
 * Stat numbers of all nodes in one Float64Array (8 doubles per node): zxids and times exceed the
 * small-integer range, and as object fields each would cost a pointer plus a 16-byte heap number.
 */
export class StatSlab {
  private values = new Float64Array(STRIDE * 1024);
  /** Per slot: the node's current digest terms (stat lo, hi; data lo, hi), so an update need not rehash the old state. */
  private hashes = new Uint32Array(HASH_STRIDE * 1024);
  private readonly free: number[] = [];
  private used = 0;

  allocate(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    if ((this.used + 1) * STRIDE > this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
      const hashes = new Uint32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    return this.used++;
  }

  release(slot: number): void {
    assert(slot < this.used, `stat slot ${slot} out of range`);
    this.values.fill(0, slot * STRIDE, slot * STRIDE + STRIDE);
    this.hashes.fill(0, slot * HASH_STRIDE, slot * HASH_STRIDE + HASH_STRIDE);
    this.free.push(slot);
  }

  get(slot: number, column: number): number {
    return this.values[slot * STRIDE + column]!;
  }

  /** Every slot's stat numbers as they are now (one copy of the slab); read with `slot * 8 + column`. */
  copyValues(): Float64Array {
    return this.values.slice(0, this.used * STRIDE);
  }

  set(slot: number, column: number, value: number): void {
    this.values[slot * STRIDE + column] = value;
  }

  /** Digest term `which` (0 stat, 1 data) of the slot: [lo, hi] halves at i and i + 1. */
  hashPart(slot: number, which: 0 | 1, half: 0 | 1): number {
    return this.hashes[slot * HASH_STRIDE + which * 2 + half]!;
  }

  setHash(slot: number, which: 0 | 1, lo: number, hi: number): void {
    const at = slot * HASH_STRIDE + which * 2;
    this.hashes[at] = lo;
    this.hashes[at + 1] = hi;
  }
}
