import { describe, expect, it } from "vitest";
import { segmentName } from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * How TxnLog cuts its queue into batches: each bound at exactly its limit, the first record of a
 * batch taken whatever its size, and the queue compacted once more than 4,096 records were taken
 * from it, without sending any record twice or skipping one.
 */
const zxidsOf = async (files: MemFiles): Promise<number[]> =>
  (await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files })).txns.map((t) => Number(t.zxid));

/** A disk that keeps the length of each write asked of it (a segment's header is 16 bytes). */
class SizedDisk extends MemFiles {
  readonly writes: number[] = [];
  override write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.writes.push(length);
    return super.write(fd, buffer, offset, length, position);
  }
}

/** The bytes of each batch written, the segment headers left out. */
const batchBytes = (files: SizedDisk): number[] => files.writes.filter((n) => n !== 16);

const counters = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe("TxnLog batches", () => {
  it("takes exactly batchCountMax records per batch, in order, the rest in the next", async () => {
    const files = new SizedDisk();
    const log = await TxnLog.open(memOptions(files, { batchCountMax: 3 }));
    await Promise.all(counters(1, 8).map((c) => log.append(z(c), record(z(c)))));
    expect(log.stats.fsyncs).toBe(3);
    const frame = record(z(1)).length + 16;
    expect(batchBytes(files)).toEqual([3 * frame, 3 * frame, 2 * frame]);
    expect(await zxidsOf(files)).toEqual(counters(1, 8).map((c) => z(c)));
  });

  it("takes records up to exactly batchBytesMax bytes of frames (16 bytes of header each)", async () => {
    const files = new SizedDisk();
    const frame = record(z(1)).length + 16;
    const log = await TxnLog.open(memOptions(files, { batchBytesMax: 3 * frame }));
    await Promise.all(counters(1, 7).map((c) => log.append(z(c), record(z(c)))));
    // 3 + 3 + 1: the third frame fits exactly, a fourth would pass the limit by one frame.
    expect(log.stats.fsyncs).toBe(3);
    expect(batchBytes(files)).toEqual([3 * frame, 3 * frame, frame]);
  });

  it("one byte under three frames holds two", async () => {
    const files = new SizedDisk();
    const frame = record(z(1)).length + 16;
    const log = await TxnLog.open(memOptions(files, { batchBytesMax: 3 * frame - 1 }));
    await Promise.all(counters(1, 5).map((c) => log.append(z(c), record(z(c)))));
    expect(batchBytes(files)).toEqual([2 * frame, 2 * frame, frame]);
  });

  it("sends a record larger than batchBytesMax alone, never an empty batch", async () => {
    const files = new SizedDisk();
    const log = await TxnLog.open(memOptions(files, { batchBytesMax: 1 }));
    await Promise.all(counters(1, 3).map((c) => log.append(z(c), record(z(c)))));
    expect(log.stats.fsyncs).toBe(3);
    expect(log.stats.records).toBe(3);
    expect(await zxidsOf(files)).toEqual([z(1), z(2), z(3)]);
  });

  it("holds one batch in flight on the inline sink: the next one is written after its fdatasync", async () => {
    const files = new SizedDisk();
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 0, batchCountMax: 1 }));
    await Promise.all([log.append(z(1), record(z(1))), log.append(z(2), record(z(2)))]);
    const path = `${LOG_DIR}/${segmentName(z(1))}`;
    // The header, then each batch's write + fdatasync, never two writes before a sync.
    expect(files.journal.filter((l) => /^(write|fdatasync) /.test(l))).toEqual([
      `write ${path}`,
      `write ${path}`,
      `fdatasync ${path}`,
      `write ${path}`,
      `fdatasync ${path}`,
    ]);
  });

  it("compacts a queue past 4,096 taken records without resending or skipping any", async () => {
    const files = new SizedDisk();
    const log = await TxnLog.open(
      memOptions(files, { batchCountMax: 4097, segmentBytesMax: 16 * 1024 * 1024 }),
    );
    // 4,097 taken of 8,000: more than 4,096 and more than half, so the queue is cut there.
    const all = counters(1, 8000);
    await Promise.all(all.map((c) => log.append(z(c), record(z(c)))));
    expect(log.stats.fsyncs).toBe(2);
    expect(log.stats.records).toBe(8000);
    expect(log.durableZxid).toBe(z(8000));
    expect(await zxidsOf(files)).toEqual(all.map((c) => z(c)));
  });
});
