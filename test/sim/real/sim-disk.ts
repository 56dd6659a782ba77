import type { Entry, HardState } from "../../../server/consensus/ready.js";
import { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import type { LogHistory } from "../../../server/replica/log-history.js";
import type { Storage } from "../../../server/replica/storage.js";
import type { Prng } from "../../../server/util/prng.js";

/**
 * What survives a crash of one member: the newest snapshot file, the durable log records, the
 * epoch files. The in-memory counterpart of dataDir + dataLogDir.
 */
export interface DurableDisk {
  /** The newest complete snapshot (the real snapshot format) and the zxid it stands at. */
  snapshot: Uint8Array;
  snapshotZxid: number;
  log: Entry[];
  acceptedEpoch: number;
  currentEpoch: number;
}

/** One write as the page cache holds it before fdatasync: a record, a TRUNC, the epochs. */
type Write =
  | { readonly kind: "entry"; readonly entry: Entry }
  | { readonly kind: "truncate"; readonly zxid: number }
  | { readonly kind: "hardState"; readonly state: HardState };

interface Pending {
  readonly writes: Write[];
  readonly due: number;
  readonly resolve: () => void;
}

export interface DiskClock {
  now(): number;
  schedule(work: () => void, delay: number): unknown;
}

/** Flush latency: usually short, one flush in `slowOneIn` takes many ticks. */
export interface DiskTiming {
  readonly tickMs: number;
  readonly slowOneIn: number;
  readonly faults: boolean;
}

/** Slow flushes seen, over every disk of a run. */
export interface DiskStats {
  slowSyncs: number;
}

/**
 * A member's Storage over its DurableDisk, as server/replica/log-storage.ts over the TxnLog: every
 * call is written at once (in call order) and becomes durable after a seeded flush delay, flushes
 * completing in call order; `append` resolves only then, which is what the Ready loop reports to
 * the core as persisted. A crash (`powerLoss`) keeps the durable state plus a random prefix of the
 * writes not yet flushed (the page cache got that far; a torn record is cut by recovery, so it is
 * simply absent), and no promise of this incarnation ever resolves after it.
 */
export class SimStorage implements Storage {
  readonly failure: Error | undefined = undefined;
  private pending: Pending[] = [];
  private lastDue = 0;
  private crashed = false;
  /** The log as written (durable or not), for the history's previous-zxid bookkeeping. */
  private writtenLast: number;

  constructor(
    readonly disk: DurableDisk,
    private readonly clock: DiskClock,
    private readonly rng: Prng,
    private readonly timing: DiskTiming,
    private readonly stats: DiskStats,
    /** The log's recent records for DIFF, kept as LogStorage keeps them. */
    readonly history: LogHistory,
  ) {
    this.writtenLast = disk.log[disk.log.length - 1]?.zxid ?? disk.snapshotZxid;
  }

  append(entries: readonly Entry[]): Promise<void> {
    let prev = this.writtenLast;
    for (const e of entries) {
      this.history.append(e.zxid, Txn.encode(e.txn).finish(), prev);
      prev = e.zxid;
    }
    this.writtenLast = prev;
    return this.write(entries.map((entry) => ({ kind: "entry", entry })));
  }

  truncate(zxid: number): Promise<void> {
    this.history.truncate(zxid);
    this.writtenLast = Math.min(this.writtenLast, zxid);
    return this.write([{ kind: "truncate", zxid }]);
  }

  snapshotInstalled(zxid: number): void {
    this.history.reset(zxid);
  }

  saveHardState(state: HardState): Promise<void> {
    return this.write([{ kind: "hardState", state: { ...state } }]);
  }

  async close(): Promise<void> {}

  /** The last zxid durable in the log (what survives a power loss for sure). */
  get durableZxid(): number {
    return this.disk.log[this.disk.log.length - 1]?.zxid ?? this.disk.snapshotZxid;
  }

  /** Lost power: nothing of this incarnation becomes durable any more. */
  get dead(): boolean {
    return this.crashed;
  }

  /** Writes not yet durable. */
  get unsynced(): number {
    return this.pending.length;
  }

  /**
   * Power loss: durable state plus a random prefix of the unflushed writes. Returns how many of
   * the unflushed writes survived, and of how many.
   */
  powerLoss(): { kept: number; of: number } {
    this.crashed = true;
    const writes = this.pending.flatMap((p) => p.writes);
    this.pending = [];
    const kept = this.rng.below(writes.length + 1);
    for (const w of writes.slice(0, kept)) this.apply(w);
    return { kept, of: writes.length };
  }

  private write(writes: Write[]): Promise<void> {
    const now = this.clock.now();
    const due = Math.max(this.lastDue, now + this.flushDelay());
    this.lastDue = due;
    return new Promise((resolve) => {
      this.pending.push({ writes, due, resolve });
      this.clock.schedule(() => this.flushDue(), due - now);
    });
  }

  private flushDelay(): number {
    if (!this.timing.faults) return 0;
    if (this.rng.below(this.timing.slowOneIn) === 0) {
      this.stats.slowSyncs++;
      return (10 + this.rng.below(20)) * this.timing.tickMs;
    }
    return this.rng.below(3) * this.timing.tickMs;
  }

  private flushDue(): void {
    const now = this.clock.now();
    while (!this.crashed && this.pending.length > 0 && this.pending[0]!.due <= now) {
      const p = this.pending.shift()!;
      for (const w of p.writes) this.apply(w);
      p.resolve();
    }
  }

  private apply(w: Write): void {
    const disk = this.disk;
    if (w.kind === "entry") {
      const last = disk.log[disk.log.length - 1]?.zxid ?? 0;
      if (!(w.entry.zxid > last)) throw new Error(`disk: record ${w.entry.zxid} written after ${last}`);
      disk.log.push(w.entry);
    } else if (w.kind === "truncate") {
      disk.log = disk.log.filter((e) => e.zxid <= w.zxid);
    } else {
      disk.acceptedEpoch = w.state.acceptedEpoch;
      disk.currentEpoch = w.state.currentEpoch;
    }
  }
}
