import type { Entry, EntryHistory } from "../consensus/ready.js";
import { Txn } from "../gen/paddock/internal/v1/txn.js";
import { assert } from "../util/assert.js";
import { zxidFromWire } from "../util/zxid.js";

/** Bytes per chunk; a record larger than this gets a chunk of its own size. */
const CHUNK_BYTES = 256 * 1024;

interface Chunk {
  readonly bytes: Uint8Array;
  /** zxid and end offset of each record, in order. */
  zxids: Float64Array;
  ends: Int32Array;
  count: number;
  used: number;
}

/**
 * The most recent log records as their encoded bytes, packed into a few large chunks: the
 * history behind the core's in-memory log for DIFF (EntryHistory). No object per record, so
 * keeping tens of thousands costs the garbage collector nothing; records are decoded only when a
 * learner is synchronised. Oldest chunks go once the bytes exceed `bytesMax` (the newest chunk
 * always stays, so it may hold up to one chunk more).
 *
 * `base` is the zxid just before the first record held (the log's last zxid when the history
 * started, or the last record dropped); -1 when unknown.
 */
export class LogHistory implements EntryHistory {
  private chunks: Chunk[] = [];
  private base = -1;
  private bytes = 0;

  constructor(
    private readonly bytesMax: number,
    /** Bytes per chunk (tests use small ones to exercise eviction). */
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    assert(bytesMax >= 0, "history size must be >= 0");
  }

  /** Forgets everything: the log now continues after `zxid` (a snapshot, a fresh start). */
  reset(zxid: number): void {
    this.chunks = [];
    this.bytes = 0;
    this.base = zxid;
  }

  /** Starts over from a recovered log: the state at `base` (its snapshot) and the entries after it. */
  seed(base: number, entries: readonly Entry[]): void {
    this.reset(base);
    let prev = base;
    for (const entry of entries) {
      this.append(entry.zxid, Txn.encode(entry.txn).finish(), prev);
      prev = entry.zxid;
    }
  }

  /** The record of `zxid`, appended to the log after `prevZxid` (the log's last zxid before it). */
  append(zxid: number, record: Uint8Array, prevZxid: number): void {
    if (this.bytesMax === 0) return;
    if (this.chunks.length === 0 && this.base < 0) this.base = prevZxid;
    const last = this.lastZxid;
    if (!(zxid > last)) assert(false, `history: zxid ${zxid} after ${last}`);
    let chunk = this.chunks[this.chunks.length - 1];
    if (
      chunk === undefined ||
      chunk.used + record.length > chunk.bytes.length ||
      chunk.count === chunk.zxids.length
    ) {
      chunk = newChunk(Math.max(this.chunkBytes, record.length));
      this.chunks.push(chunk);
    }
    chunk.bytes.set(record, chunk.used);
    chunk.used += record.length;
    chunk.zxids[chunk.count] = zxid;
    chunk.ends[chunk.count] = chunk.used;
    chunk.count++;
    this.bytes += record.length;
    while (this.bytes > this.bytesMax && this.chunks.length > 1) {
      const dropped = this.chunks.shift()!;
      this.bytes -= dropped.used;
      this.base = dropped.zxids[dropped.count - 1]!;
    }
  }

  /** TRUNC: every record above `zxid` goes. */
  truncate(zxid: number): void {
    if (zxid < this.base) {
      this.reset(-1);
      return;
    }
    while (this.chunks.length > 0) {
      const chunk = this.chunks[this.chunks.length - 1]!;
      const keep = countUpTo(chunk, zxid);
      if (keep > 0) {
        const used = chunk.ends[keep - 1]!;
        this.bytes -= chunk.used - used;
        chunk.used = used;
        chunk.count = keep;
        return;
      }
      this.chunks.pop();
      this.bytes -= chunk.used;
    }
  }

  has(zxid: number): boolean {
    return (this.base >= 0 && zxid === this.base) || this.holds(zxid);
  }

  between(after: number, upTo: number): Entry[] | undefined {
    if (this.base < 0 || after < this.base || upTo > this.lastZxid || !this.has(after)) return undefined;
    const out: Entry[] = [];
    for (const chunk of this.chunks) {
      for (let i = countUpTo(chunk, after); i < chunk.count; i++) {
        const zxid = chunk.zxids[i]!;
        if (zxid > upTo) return out;
        const start = i === 0 ? 0 : chunk.ends[i - 1]!;
        // A copy: decoded bytes fields would otherwise view the chunk, which later appends reuse.
        const txn = Txn.decode(chunk.bytes.slice(start, chunk.ends[i]!));
        assert(zxidFromWire(txn.zxid) === zxid, `history record ${zxid} holds ${txn.zxid}`);
        out.push({ zxid, txn });
      }
    }
    return out;
  }

  /** Bytes of records held (for tests and metrics). */
  get size(): number {
    return this.bytes;
  }

  private get lastZxid(): number {
    const chunk = this.chunks[this.chunks.length - 1];
    return chunk === undefined || chunk.count === 0 ? this.base : chunk.zxids[chunk.count - 1]!;
  }

  private holds(zxid: number): boolean {
    for (const chunk of this.chunks) {
      if (chunk.count === 0 || chunk.zxids[chunk.count - 1]! < zxid) continue;
      const i = countUpTo(chunk, zxid) - 1;
      return i >= 0 && chunk.zxids[i] === zxid;
    }
    return false;
  }
}

function newChunk(bytes: number): Chunk {
  // Records are rarely below 32 bytes: size the index for that, a new chunk starts when it fills.
  const slots = Math.max(16, bytes >>> 5);
  return {
    bytes: new Uint8Array(bytes),
    zxids: new Float64Array(slots),
    ends: new Int32Array(slots),
    count: 0,
    used: 0,
  };
}

/** Records of `chunk` with zxid <= `zxid` (zxids increase within a chunk). */
function countUpTo(chunk: Chunk, zxid: number): number {
  let lo = 0;
  let hi = chunk.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (chunk.zxids[mid]! <= zxid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
