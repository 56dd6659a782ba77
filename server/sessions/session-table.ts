import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { TimeHeap } from "./time-heap.js";

export interface SessionTableOptions {
  /** tickTime: the expiry granularity; every deadline is a multiple of it. */
  tickMs: number;
  /** minSessionTimeout (ZooKeeper's default is 2 × tickTime; the caller applies defaults). */
  minTimeoutMs: number;
  /** maxSessionTimeout (ZooKeeper's default is 20 × tickTime). */
  maxTimeoutMs: number;
  /** Sessions open at once. */
  sessionsMax: number;
}

export interface SessionEntry {
  readonly id: bigint;
  /** Negotiated timeout. */
  readonly timeoutMs: number;
  readonly password: Uint8Array;
  /** The expiry bucket the session sits in: a multiple of tickMs, strictly after its last touch + timeout. */
  readonly expiresAt: number;
  /** Set on expiry or by setClosing; a closing session is neither touched nor expired again. */
  readonly closing: boolean;
}

interface MutableEntry {
  id: bigint;
  timeoutMs: number;
  password: Uint8Array;
  expiresAt: number;
  closing: boolean;
}

/**
 * Sessions and their deadlines, as ZooKeeper's SessionTrackerImpl with its ExpiryQueue: a deadline
 * is rounded up to the next multiple of tickMs and sessions are grouped in buckets keyed by that
 * time, so a heartbeat moves a session between two buckets and expire() visits only the buckets
 * that are due (O(expired), not O(sessions)).
 *
 * Invariant: a session is in the bucket of its expiresAt exactly when it is not closing; every
 * bucket key is in the heap exactly once. Empty buckets stay until they reach the top of the heap,
 * which keeps that one-to-one and bounds the heap by the buckets in one timeout window.
 */
export class SessionTable {
  private readonly options: Readonly<SessionTableOptions>;
  private readonly sessions = new Map<bigint, MutableEntry>();
  private readonly buckets = new Map<number, Set<bigint>>();
  private readonly heap = new TimeHeap();

  constructor(options: SessionTableOptions) {
    positiveInteger("tickMs", options.tickMs);
    positiveInteger("minTimeoutMs", options.minTimeoutMs);
    positiveInteger("maxTimeoutMs", options.maxTimeoutMs);
    positiveInteger("sessionsMax", options.sessionsMax);
    if (options.minTimeoutMs > options.maxTimeoutMs) {
      throw new PaddockError(
        Code.BadArguments,
        "",
        `minTimeoutMs (${options.minTimeoutMs}) must not be larger than maxTimeoutMs (${options.maxTimeoutMs})`,
      );
    }
    this.options = Object.freeze({ ...options });
  }

  /** ZooKeeper's connect: below minSessionTimeout → min, above maxSessionTimeout → max. */
  negotiateTimeout(requestedMs: number): number {
    const { minTimeoutMs, maxTimeoutMs } = this.options;
    // `!(x >= min)` also sends NaN to the minimum.
    if (!(requestedMs >= minTimeoutMs)) return minTimeoutMs;
    if (requestedMs > maxTimeoutMs) return maxTimeoutMs;
    return Math.floor(requestedMs);
  }

  /** Registers a session; the id must be new (a duplicate is a bug upstream, not a client error). */
  add(id: bigint, timeoutMs: number, password: Uint8Array, now: number): SessionEntry {
    assert(!this.sessions.has(id), `session 0x${BigInt.asUintN(64, id).toString(16)} added twice`);
    assert(Number.isInteger(timeoutMs) && timeoutMs > 0, `session timeout out of range: ${timeoutMs}`);
    assert(Number.isFinite(now), `time out of range: ${now}`);
    if (this.sessions.size >= this.options.sessionsMax) {
      // Throttled rather than QuotaExceeded: the limit is the server's, another member may accept.
      throw new PaddockError(
        Code.Throttled,
        "",
        `sessionsMax (${this.options.sessionsMax}) reached: no new session accepted`,
      );
    }
    const entry: MutableEntry = { id, timeoutMs, password, expiresAt: 0, closing: false };
    entry.expiresAt = this.roundUp(now + timeoutMs);
    this.sessions.set(id, entry);
    this.bucketOf(entry.expiresAt).add(id);
    return entry;
  }

  get(id: bigint): SessionEntry | undefined {
    return this.sessions.get(id);
  }

  /** Any request or heartbeat pushes the deadline out; false when unknown or closing (ZooKeeper's touchSession). */
  touch(id: bigint, now: number): boolean {
    const entry = this.sessions.get(id);
    if (entry === undefined || entry.closing) return false;
    const expiresAt = this.roundUp(now + entry.timeoutMs);
    if (expiresAt !== entry.expiresAt) {
      this.buckets.get(entry.expiresAt)?.delete(id);
      entry.expiresAt = expiresAt;
      this.bucketOf(expiresAt).add(id);
    }
    return true;
  }

  /**
   * A close is under way (closeSession proposed or expiry reported). Unlike ZooKeeper, which leaves a
   * closing session in its bucket and may report it again, the session leaves its bucket here, so
   * it is reported at most once.
   */
  setClosing(id: bigint): void {
    const entry = this.sessions.get(id);
    if (entry === undefined || entry.closing) return;
    entry.closing = true;
    this.buckets.get(entry.expiresAt)?.delete(id);
  }

  remove(id: bigint): void {
    const entry = this.sessions.get(id);
    if (entry === undefined) return;
    this.sessions.delete(id);
    if (!entry.closing) this.buckets.get(entry.expiresAt)?.delete(id);
  }

  /**
   * Sessions whose bucket time is at or before now, bucket by bucket in time order and by arrival
   * within a bucket; each is marked closing so it is returned once. Costs the due buckets only.
   */
  expire(now: number): bigint[] {
    const expired: bigint[] = [];
    for (let at = this.heap.peek(); at !== undefined && at <= now; at = this.heap.peek()) {
      this.heap.pop();
      const bucket = this.buckets.get(at);
      assert(bucket !== undefined, `expiry heap holds ${at} without a bucket`);
      this.buckets.delete(at);
      for (const id of bucket) {
        const entry = this.sessions.get(id);
        assert(entry !== undefined && !entry.closing, "expiry bucket holds a gone or closing session");
        entry.closing = true;
        expired.push(id);
      }
    }
    return expired;
  }

  /**
   * A leader's start and end: every session gets a fresh timeout from `now`, closing ones too (a
   * close proposed in an earlier term may never commit; if it does, applying it removes the
   * session). With a stagger, each deadline moves a further part of its timeout out, fixed per
   * session id (up to stagger × timeout): the sessions whose clients are gone then expire spread
   * over that time instead of all at one tick. A deadline is only ever later, never earlier.
   */
  restartAll(now: number, stagger = 0): void {
    for (const entry of this.sessions.values()) {
      if (!entry.closing) this.buckets.get(entry.expiresAt)?.delete(entry.id);
      // A closing session is in no bucket (setClosing, expire): it goes back in one too.
      entry.closing = false;
      entry.expiresAt = this.roundUp(now + entry.timeoutMs + staggerOf(entry.id, entry.timeoutMs * stagger));
      this.bucketOf(entry.expiresAt).add(entry.id);
    }
  }

  /** Ids of every session (SNAP replaces them). */
  ids(): bigint[] {
    return [...this.sessions.keys()];
  }

  get size(): number {
    return this.sessions.size;
  }

  entries(): Iterable<SessionEntry> {
    return this.sessions.values();
  }

  /** The earliest bucket that holds a session, for the caller's timer; undefined when none. */
  nextExpiry(): number | undefined {
    for (let at = this.heap.peek(); at !== undefined; at = this.heap.peek()) {
      const bucket = this.buckets.get(at);
      assert(bucket !== undefined, `expiry heap holds ${at} without a bucket`);
      if (bucket.size > 0) return at;
      this.heap.pop();
      this.buckets.delete(at);
    }
    return undefined;
  }

  /** ZooKeeper's ExpiryQueue.roundToNextInterval: always strictly after time, even on a multiple. */
  private roundUp(time: number): number {
    const tick = this.options.tickMs;
    return (Math.floor(time / tick) + 1) * tick;
  }

  private bucketOf(at: number): Set<bigint> {
    let bucket = this.buckets.get(at);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(at, bucket);
      this.heap.push(at);
    }
    return bucket;
  }
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new PaddockError(Code.BadArguments, "", `${name} must be a positive integer, is ${value}`);
  }
}

/** A fixed share of `spanMs` for a session id (Fibonacci hashing of its low 32 bits). */
function staggerOf(id: bigint, spanMs: number): number {
  if (spanMs <= 0) return 0;
  const h = Math.imul(Number(BigInt.asUintN(32, id)), 0x9e3779b1) >>> 0;
  return Math.floor((h / 0x1_0000_0000) * spanMs);
}
