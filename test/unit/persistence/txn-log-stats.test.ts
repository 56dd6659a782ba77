import { afterEach, describe, expect, it, vi } from "vitest";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * The group-commit figures (mntr's fsync_threshold_exceed_count, the fsynctime summary and the
 * slow-fsync warning) on a disk whose every fdatasync takes a chosen time: performance.now is a
 * fake clock that only the disk's fdatasync advances, so each batch's duration is exact.
 */
class TimedDisk extends MemFiles {
  now = 1000;
  /** The duration of each fdatasync, in order. */
  readonly durations: number[] = [];
  override fdatasync(fd: number): void {
    super.fdatasync(fd);
    this.now += this.durations.shift() ?? 0;
  }
}

function timedDisk(durations: number[]): TimedDisk {
  const disk = new TimedDisk();
  disk.durations.push(...durations);
  vi.spyOn(performance, "now").mockImplementation(() => disk.now);
  return disk;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Batches of the given sizes, each appended once the previous one is durable. */
async function batches(log: TxnLog, sizes: number[]): Promise<void> {
  let c = 0;
  for (const size of sizes) {
    const counters = Array.from({ length: size }, () => ++c);
    await Promise.all(counters.map((n) => log.append(z(n), record(z(n)))));
  }
}

describe("TxnLog figures", () => {
  it("are zero before the first group commit (no division by zero)", async () => {
    const log = await TxnLog.open(memOptions(new MemFiles()));
    expect(log.stats).toEqual({
      fsyncs: 0,
      records: 0,
      lastFsyncMs: 0,
      fsyncMsMax: 0,
      recordsPerFsyncAvg: 0,
      fsyncThresholdExceeded: 0,
    });
    expect(log.fsyncTime.count).toBe(0);
  });

  it("count each group commit's write + fdatasync time, the last, the largest and the average batch", async () => {
    const disk = timedDisk([5, 12, 7]);
    const log = await TxnLog.open(memOptions(disk));
    await batches(log, [2, 3, 1]);
    expect(log.stats).toEqual({
      fsyncs: 3,
      records: 6,
      lastFsyncMs: 7,
      fsyncMsMax: 12,
      recordsPerFsyncAvg: 2,
      fsyncThresholdExceeded: 0,
    });
    expect([log.fsyncTime.count, log.fsyncTime.sum, log.fsyncTime.min, log.fsyncTime.max]).toEqual([
      3, 24, 5, 12,
    ]);
  });

  it("count and report only the commits slower than fsyncWarningThresholdMs (equal is not slower)", async () => {
    const disk = timedDisk([7, 8, 3, 20]);
    const slow: [number, number][] = [];
    const log = await TxnLog.open(
      memOptions(disk, {
        fsyncWarningThresholdMs: 7,
        onSlowFsync: (ms, records) => slow.push([ms, records]),
      }),
    );
    await batches(log, [1, 4, 2, 3]);
    expect(slow).toEqual([
      [8, 4],
      [20, 3],
    ]);
    expect(log.stats.fsyncThresholdExceeded).toBe(2);
  });

  it("count slow commits without a callback, and none without a threshold", async () => {
    const counted = await TxnLog.open(memOptions(timedDisk([9, 1]), { fsyncWarningThresholdMs: 0 }));
    await batches(counted, [1, 1]);
    expect(counted.stats.fsyncThresholdExceeded).toBe(2);
    vi.restoreAllMocks();
    const uncounted = await TxnLog.open(memOptions(timedDisk([900, 900])));
    await batches(uncounted, [1, 1]);
    expect(uncounted.stats.fsyncThresholdExceeded).toBe(0);
    expect(uncounted.stats.fsyncMsMax).toBe(900);
  });
});
