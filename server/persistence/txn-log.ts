import { join } from "node:path";
import { assert } from "../util/assert.js";
import { LatencyStats } from "../util/latency-stats.js";
import { zxidHex } from "../util/zxid.js";
import { type FileLayer, nodeFiles } from "./file-layer.js";
import { packFrames, RECORD_BYTES_MAX, sortedSegments } from "./log-format.js";
import { InlineSink, type LogSink, WorkerSink } from "./log-sink.js";
import { truncateSegments } from "./log-truncate.js";
import { scanSegment } from "./segment-reader.js";
import { TxnLogFailedError } from "./storage-error.js";

export interface TxnLogOptions {
  /** dataLogDir. */
  dir: string;
  /** zoo.cfg forceSync: false skips fdatasync (the caller logs a warning: acks are not durable). */
  forceSync: boolean;
  /** zoo.cfg preAllocSize (KiB there, bytes here); ZooKeeper's default is 64 MiB. */
  preAllocBytes: number;
  /** Roll to a new segment before a batch once the current one holds this many bytes. */
  segmentBytesMax: number;
  /**
   * Zeros written and synced ahead of the records, a chunk this size at a time, when the writer
   * is idle (default 0: none). Preallocation alone leaves holes; see SegmentWriter.zeroAhead.
   */
  zeroAheadBytes?: number;
  /** Records in one write + fdatasync. */
  batchCountMax: number;
  /** Bytes of frames in one write + fdatasync (a single larger record still goes alone). */
  batchBytesMax: number;
  /** Default: the real disk, written from a worker thread. Any other layer is written inline. */
  files?: FileLayer;
  /** The last zxid already in the log (from recover()); default: read from the newest segment. */
  lastZxid?: number;
  /**
   * Test seam, unset in production: write from the worker thread through the FileLayer this
   * module exports instead of the real disk (see WorkerInit.filesModule).
   */
  workerFilesModule?: string;
  /** fsync.warningthresholdms: a group commit slower than this is counted and reported. */
  fsyncWarningThresholdMs?: number;
  /** Told of each group commit slower than the threshold: its ms and records. */
  onSlowFsync?: (ms: number, records: number) => void;
}

export interface TxnLogStats {
  fsyncs: number;
  records: number;
  lastFsyncMs: number;
  fsyncMsMax: number;
  recordsPerFsyncAvg: number;
  /** Group commits slower than fsyncWarningThresholdMs (ZooKeeper's fsync_threshold_exceed_count). */
  fsyncThresholdExceeded: number;
}

interface Pending {
  zxid: number;
  record: Uint8Array;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * The write-ahead transaction log with group commit. Up to the sink's batchesInFlightMax batches
 * are with the writer (the worker takes two, so it starts the next write + fdatasync without
 * waiting for our turn of the event loop). Everything appended meanwhile forms the next batch
 * (bounded by batchCountMax and batchBytesMax). A promise resolves only after its record's batch is durable.
 * After any write or sync error the log is failed for good: pending and later appends reject.
 */
export class TxnLog {
  private readonly options: TxnLogOptions;
  private sink: LogSink;
  /** A truncation runs: appends wait in `held` until it is done. */
  private truncating: Promise<void> | undefined;
  private held: Pending[] = [];
  private queue: Pending[] = [];
  private head = 0;
  private inFlight = 0;
  private scheduled = false;
  private closed = false;
  private failure: Error | undefined;
  private appended: number;
  private durable: number;
  private idleWaiters: (() => void)[] = [];
  private readonly counters = {
    fsyncs: 0,
    records: 0,
    lastFsyncMs: 0,
    fsyncMsMax: 0,
    fsyncThresholdExceeded: 0,
  };
  /** Each group commit's write plus fdatasync, in ms (ZooKeeper's fsynctime). */
  readonly fsyncTime = new LatencyStats();

  private constructor(options: TxnLogOptions, sink: LogSink, lastZxid: number) {
    this.options = options;
    this.sink = sink;
    this.appended = lastZxid;
    this.durable = lastZxid;
  }

  static async open(options: TxnLogOptions): Promise<TxnLog> {
    assert(options.preAllocBytes >= 0 && Number.isInteger(options.preAllocBytes), "preAllocBytes");
    assert(options.segmentBytesMax >= 1024, "segmentBytesMax must be >= 1 KiB");
    assert(options.batchCountMax >= 1 && options.batchBytesMax >= 1, "batch limits must be >= 1");
    assert((options.zeroAheadBytes ?? 0) >= 0, "zeroAheadBytes must be >= 0");
    const files = options.files ?? nodeFiles;
    files.mkdir(options.dir);
    const lastZxid = options.lastZxid ?? newestLoggedZxid(files, options.dir);
    return new TxnLog(options, await openSink(options), lastZxid);
  }

  /**
   * ZAB's TRUNC (and the log after a SNAP): every record above `zxid` goes, durably. Appends made
   * before the call are flushed first; appends made after it wait and then continue above `zxid`
   * in a fresh segment (a writer never reopens a segment).
   */
  truncate(zxid: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    assert(this.truncating === undefined, "one truncation at a time");
    this.appended = Math.min(this.appended, zxid);
    const run = async (): Promise<void> => {
      if (this.inFlight > 0 || this.scheduled) await new Promise<void>((r) => this.idleWaiters.push(r));
      if (this.failure) throw this.failure;
      try {
        await this.sink.close();
        truncateSegments(this.options.files ?? nodeFiles, this.options.dir, zxid);
        this.sink = await openSink(this.options);
      } catch (e) {
        this.fail(e, []);
        throw this.failure;
      }
      this.durable = Math.min(this.durable, zxid);
    };
    this.truncating = run().finally(() => {
      this.truncating = undefined;
      const held = this.held;
      this.held = [];
      for (const p of held) {
        if (this.failure) p.reject(this.failure);
        else this.queue.push(p);
      }
      this.schedule();
    });
    return this.truncating;
  }

  /** Resolves once the record is durable (or written, without forceSync). */
  append(zxid: number, record: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new TxnLogFailedError("txn log is closed"));
    // Messages are built only on failure: this runs once per record.
    if (!(Number.isSafeInteger(zxid) && zxid > this.appended)) {
      assert(false, `zxid ${zxidHex(zxid)} after ${zxidHex(this.appended)}`);
    }
    if (record.length > RECORD_BYTES_MAX)
      assert(false, `record of ${record.length} bytes exceeds ${RECORD_BYTES_MAX}`);
    this.appended = zxid;
    return new Promise<void>((resolve, reject) => {
      if (this.truncating) this.held.push({ zxid, record, resolve, reject });
      else this.queue.push({ zxid, record, resolve, reject });
      this.schedule();
    });
  }

  /** Appends several records; resolves when all are durable. */
  appendAll(records: readonly { zxid: number; record: Uint8Array }[]): Promise<void> {
    return Promise.all(records.map((r) => this.append(r.zxid, r.record))).then(() => undefined);
  }

  /** The last zxid accepted by append (durable or not). */
  get lastZxid(): number {
    return this.appended;
  }

  /** The last zxid known durable. */
  get durableZxid(): number {
    return this.durable;
  }

  get stats(): TxnLogStats {
    const c = this.counters;
    return { ...c, recordsPerFsyncAvg: c.fsyncs === 0 ? 0 : c.records / c.fsyncs };
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Flushes what is queued, then stops the writer. Appends after close reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.truncating?.catch(() => undefined);
    if (this.inFlight > 0 || this.scheduled) await new Promise<void>((r) => this.idleWaiters.push(r));
    await this.sink.close();
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.sink.batchesInFlightMax || this.head >= this.queue.length)
      return;
    this.scheduled = true;
    // A microtask, so every append of the current synchronous run joins the first batch.
    queueMicrotask(() => {
      this.scheduled = false;
      this.flushLoop();
    });
  }

  private flushLoop(): void {
    while (
      this.inFlight < this.sink.batchesInFlightMax &&
      this.head < this.queue.length &&
      this.failure === undefined
    ) {
      const batch = this.takeBatch();
      const frames = packFrames(
        batch.map((p) => p.zxid),
        batch.map((p) => p.record),
      );
      this.inFlight++;
      this.sink.flush(frames).then(
        (ms) => this.flushed(batch, ms),
        (e: unknown) => this.flushFailed(batch, e),
      );
    }
    this.wakeIdle();
  }

  /** The writer answers in order, so batches become durable in order. */
  private flushed(batch: Pending[], ms: number): void {
    this.inFlight--;
    const c = this.counters;
    c.fsyncs++;
    c.records += batch.length;
    c.lastFsyncMs = ms;
    c.fsyncMsMax = Math.max(c.fsyncMsMax, ms);
    this.fsyncTime.record(ms);
    const threshold = this.options.fsyncWarningThresholdMs;
    if (threshold !== undefined && ms > threshold) {
      c.fsyncThresholdExceeded++;
      this.options.onSlowFsync?.(ms, batch.length);
    }
    this.durable = batch[batch.length - 1]!.zxid;
    for (const p of batch) p.resolve();
    this.flushLoop();
  }

  private flushFailed(batch: Pending[], e: unknown): void {
    this.inFlight--;
    // A later batch in flight fails too: the writer refuses everything after its first error.
    if (this.failure) for (const p of batch) p.reject(this.failure);
    else this.fail(e, batch);
    this.wakeIdle();
  }

  private wakeIdle(): void {
    if (this.inFlight > 0 || this.scheduled) return;
    if (this.head < this.queue.length && this.failure === undefined) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private takeBatch(): Pending[] {
    const { batchCountMax, batchBytesMax } = this.options;
    let end = this.head;
    let bytes = 0;
    while (end < this.queue.length && end - this.head < batchCountMax) {
      const size = this.queue[end]!.record.length + 16;
      if (end > this.head && bytes + size > batchBytesMax) break;
      bytes += size;
      end++;
    }
    const batch = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private fail(cause: unknown, batch: Pending[]): void {
    const why = cause instanceof Error ? cause.message : String(cause);
    this.failure = new TxnLogFailedError(
      `txn log ${this.options.dir} failed (${why}); records after ${zxidHex(this.durable)} are not durable ` +
        "and no further appends are accepted",
      { cause },
    );
    const rest = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const p of [...batch, ...rest]) p.reject(this.failure);
  }
}

function openSink(options: TxnLogOptions): Promise<LogSink> | LogSink {
  const files = options.files ?? nodeFiles;
  const init = {
    dir: options.dir,
    forceSync: options.forceSync,
    preAllocBytes: options.preAllocBytes,
    segmentBytesMax: options.segmentBytesMax,
    zeroAheadBytes: options.zeroAheadBytes ?? 0,
  };
  if (options.workerFilesModule !== undefined)
    return WorkerSink.start({ ...init, filesModule: options.workerFilesModule });
  return files === nodeFiles ? WorkerSink.start(init) : new InlineSink(init, files);
}

/**
 * The last zxid in the newest segment, for opening without recover()'s answer. The tail must be
 * clean: appending after a torn tail would bury the damage in the middle of the log. A newest
 * segment with no record at all is removed (its name would clash with the next first zxid).
 */
function newestLoggedZxid(files: FileLayer, dir: string): number {
  const segments = sortedSegments(files.readdir(dir));
  while (segments.length > 0) {
    const last = segments[segments.length - 1]!;
    const path = join(dir, last.name);
    const scan = scanSegment(files.readFile(path), 0);
    if (scan.end.kind !== "clean") {
      throw new Error(
        `${path} has a damaged tail at offset ${scan.end.offset} (${scan.end.reason}); run recovery first`,
      );
    }
    const lastRecord = scan.records[scan.records.length - 1];
    if (lastRecord !== undefined) return lastRecord.zxid;
    files.unlink(path);
    files.fsyncDir(dir);
    segments.pop();
  }
  return 0;
}
