import { join } from "node:path";
import { assert } from "../util/assert.js";
import { type FileLayer, writeFully } from "./file-layer.js";
import { encodeLogHeader, fillCrcs, LOG_HEADER_BYTES, segmentName } from "./log-format.js";

export interface SegmentWriterOptions {
  dir: string;
  forceSync: boolean;
  /** Grow the file in steps of this many bytes (zeros); 0 = no preallocation. */
  preAllocBytes: number;
  /** Start a new segment before a batch once the current one holds this many bytes. */
  segmentBytesMax: number;
  /** Zeros written (and synced) ahead of the records, inside the preallocation; 0 = none. */
  zeroAheadBytes: number;
  files: FileLayer;
}

/**
 * Appends packed frame batches to segment files, synchronously. It runs inside the log worker
 * (real disk) or inline on the main thread (tests with an injected FileLayer). A segment is
 * named by the zxid of its first record; every writer starts a fresh segment, so a segment is
 * never reopened for appending after a restart (recovery may have truncated its tail).
 */
export class SegmentWriter {
  private fd: number | undefined;
  private writePos = 0;
  private allocated = 0;
  /** Bytes from the start known written (records or zeros): overwriting them changes no metadata. */
  private zeroed = 0;
  private zeros: Uint8Array | undefined;
  private readonly options: SegmentWriterOptions;

  constructor(options: SegmentWriterOptions) {
    assert(options.preAllocBytes >= 0, "preAllocBytes must be >= 0");
    assert(options.zeroAheadBytes >= 0, "zeroAheadBytes must be >= 0");
    assert(options.segmentBytesMax > LOG_HEADER_BYTES, "segmentBytesMax too small");
    this.options = options;
  }

  /** Fills CRCs and writes one batch of frames (rolling first if the segment is full); no sync. */
  write(frames: Uint8Array): { firstZxid: number; lastZxid: number; count: number } {
    const info = fillCrcs(frames);
    assert(info.count > 0, "empty batch");
    if (this.fd === undefined || this.writePos >= this.options.segmentBytesMax) this.roll(info.firstZxid);
    const fd = this.fd!;
    this.reserve(fd, this.writePos + frames.length);
    writeFully(this.options.files, fd, frames, 0, frames.length, this.writePos);
    this.writePos += frames.length;
    this.zeroed = Math.max(this.zeroed, this.writePos);
    return info;
  }

  /**
   * Writes (and syncs) zeros ahead of the records, a chunk at a time, inside the preallocated
   * length. A preallocated file is sparse: a record written into a hole allocates blocks, so its
   * fdatasync also commits the filesystem journal. Over zeros already on disk it flushes data
   * only (about 100 vs 140 µs per write + fdatasync on the bench machine's ext4). The caller runs
   * this between batches, after answering one; it writes once per half chunk of records. Skipping
   * it costs speed, never correctness: the region holds zeros either way.
   */
  zeroAhead(): void {
    const fd = this.fd;
    const step = this.options.zeroAheadBytes;
    if (fd === undefined || step === 0 || this.zeroed - this.writePos >= step / 2) return;
    const end = Math.min(this.zeroed + step, this.allocated);
    if (end <= this.zeroed) return;
    this.zeros ??= new Uint8Array(step);
    writeFully(this.options.files, fd, this.zeros, 0, end - this.zeroed, this.zeroed);
    this.zeroed = end;
    this.sync();
  }

  /** Makes everything written so far durable (no-op without forceSync). */
  sync(): void {
    if (this.options.forceSync && this.fd !== undefined) this.options.files.fdatasync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      // fd directly: sync() reads this.fd, already cleared (a close never synced before).
      if (this.options.forceSync) this.options.files.fdatasync(fd);
    } finally {
      this.options.files.close(fd);
    }
  }

  /**
   * New segment: create, header, preallocate, then fsync the directory so the name survives a
   * crash before any record in it is acknowledged (the batch's fdatasync covers the contents).
   */
  private roll(firstZxid: number): void {
    const { files, dir } = this.options;
    if (this.fd !== undefined) this.close();
    const fd = files.open(join(dir, segmentName(firstZxid)), "wx");
    this.fd = fd;
    this.allocated = 0;
    this.writePos = 0;
    this.zeroed = 0;
    const header = encodeLogHeader();
    this.reserve(fd, header.length);
    writeFully(files, fd, header, 0, header.length, 0);
    this.writePos = header.length;
    files.fsyncDir(dir);
  }

  /** Extends the file with zeros in preAllocBytes steps so fdatasync rarely changes the size. */
  private reserve(fd: number, needed: number): void {
    const step = this.options.preAllocBytes;
    if (step === 0 || needed <= this.allocated) return;
    while (this.allocated < needed) this.allocated += step;
    this.options.files.ftruncate(fd, this.allocated);
  }
}
