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
/** The first TIMES columns (zxids and times) are doubles; the rest (versions) are int32, as in ZooKeeper. */
export const TIMES = 5;
export const INTS = STRIDE - TIMES;

/** Slots per chunk of the stat slab (a power of two): 160 KiB of doubles and 48 KiB of ints. */
const CHUNK_SHIFT = 12;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SLOTS - 1;
/** The first chunk starts this small and doubles up to CHUNK_SLOTS (most test trees are tiny). */
const FIRST_CHUNK_SLOTS = 1024;

/**
 * Stat numbers of all nodes, 52 bytes per node: zxids and times in Float64Arrays (they exceed the
 * small-integer range, and as object fields each would cost a pointer plus a 16-byte heap number),
 * version, cversion and aversion in Int32Arrays (Java ints in ZooKeeper; prep wraps them as Java
 * does). The slab grows by fixed chunks of CHUNK_SLOTS slots, not by doubling one array: a doubled
 * array is up to half empty and each doubling copies everything and frees a large block to malloc,
 * which keeps it.
 */
export class StatSlab {
  private readonly times: Float64Array[] = [new Float64Array(TIMES * FIRST_CHUNK_SLOTS)];
  private readonly ints: Int32Array[] = [new Int32Array(INTS * FIRST_CHUNK_SLOTS)];
  private readonly free: number[] = [];
  private used = 0;

  /** Slots handed out so far (live, or free for reuse): every slot number is below it. */
  get size(): number {
    return this.used;
  }

  allocate(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    const chunk = this.used >>> CHUNK_SHIFT;
    if (chunk === this.times.length) {
      this.times.push(new Float64Array(TIMES * CHUNK_SLOTS));
      this.ints.push(new Int32Array(INTS * CHUNK_SLOTS));
    } else if (chunk === 0 && this.used * TIMES >= this.times[0]!.length) {
      // Only the first chunk grows, by doubling, until it is a whole chunk.
      const times = new Float64Array(this.times[0]!.length * 2);
      times.set(this.times[0]!);
      this.times[0] = times;
      const ints = new Int32Array(this.ints[0]!.length * 2);
      ints.set(this.ints[0]!);
      this.ints[0] = ints;
    }
    return this.used++;
  }

  release(slot: number): void {
    assert(slot < this.used, `stat slot ${slot} out of range`);
    const t = (slot & CHUNK_MASK) * TIMES;
    this.times[slot >>> CHUNK_SHIFT]!.fill(0, t, t + TIMES);
    const i = (slot & CHUNK_MASK) * INTS;
    this.ints[slot >>> CHUNK_SHIFT]!.fill(0, i, i + INTS);
    this.free.push(slot);
  }

  get(slot: number, column: number): number {
    const row = slot & CHUNK_MASK;
    return column < TIMES
      ? this.times[slot >>> CHUNK_SHIFT]![row * TIMES + column]!
      : this.ints[slot >>> CHUNK_SHIFT]![row * INTS + column - TIMES]!;
  }

  set(slot: number, column: number, value: number): void {
    const row = slot & CHUNK_MASK;
    if (column < TIMES) this.times[slot >>> CHUNK_SHIFT]![row * TIMES + column] = value;
    else {
      // An Int32Array would wrap any other number silently.
      assert((value | 0) === value, `stat column ${column} takes an int32, not ${value}`);
      this.ints[slot >>> CHUNK_SHIFT]![row * INTS + column - TIMES] = value;
    }
  }
}
