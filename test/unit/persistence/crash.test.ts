import { describe, expect, it } from "vitest";
import {
  encodeLogHeader,
  FRAME_HEADER_BYTES,
  packFrames,
  segmentName,
} from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { SegmentWriter } from "../../../server/persistence/segment-writer.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { type AppendLog, checkCrash } from "./crash-checker.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

const recovered = async (files: MemFiles) => recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files });

/**
 * A deliberately broken log: acknowledges right after the write, before fdatasync (the bug the
 * checker exists to catch). Planted here only to prove the checker can fail.
 */
class AckBeforeSyncLog implements AppendLog {
  private readonly writer: SegmentWriter;
  constructor(files: MemFiles) {
    files.mkdir(LOG_DIR);
    this.writer = new SegmentWriter({
      dir: LOG_DIR,
      forceSync: true,
      preAllocBytes: 4096,
      segmentBytesMax: 1 << 20,
      zeroAheadBytes: 0,
      files,
    });
  }
  append(zxid: number, rec: Uint8Array): Promise<void> {
    this.writer.write(packFrames([zxid], [rec]));
    setImmediate(() => {
      try {
        this.writer.sync();
      } catch {
        // the machine is down
      }
    });
    return Promise.resolve();
  }
}

const openTxnLog =
  (over: Parameters<typeof memOptions>[1] = {}) =>
  async (files: MemFiles): Promise<AppendLog> => {
    files.mkdir(LOG_DIR);
    return TxnLog.open(
      memOptions(files, { segmentBytesMax: 2048, preAllocBytes: 1024, batchCountMax: 4, ...over }),
    );
  };

const CRASH_POINTS = 120;

/** Crashes a log at each of CRASH_POINTS mutations; none may lose an acknowledged record. */
async function sweepCrashPoints(open: ReturnType<typeof openTxnLog>): Promise<number> {
  let acked = 0;
  for (let crashAt = 1; crashAt <= CRASH_POINTS; crashAt++) {
    const result = await checkCrash(new MemFiles(), open, {
      crashAt,
      appenders: 8,
      perAppender: 12,
      seed: crashAt,
    });
    expect({ crashAt, lost: result.lost, problems: result.problems }).toEqual({
      crashAt,
      lost: [],
      problems: [],
    });
    acked += result.acked;
  }
  return acked;
}

describe("crash checker: no acknowledged record is lost", () => {
  it("TxnLog keeps every acknowledged record at every crash point", async () => {
    const acked = await sweepCrashPoints(openTxnLog());
    // The sweep reaches crash points after many acknowledgements, not only at the start.
    expect(acked).toBeGreaterThan(CRASH_POINTS * 20);
  });

  it("with zeros written ahead of the records, every acknowledged record survives every crash point", async () => {
    await sweepCrashPoints(openTxnLog({ zeroAheadBytes: 256 }));
  });

  it("catches a planted log that acknowledges before fdatasync", async () => {
    const losing: number[] = [];
    for (let crashAt = 1; crashAt <= 40; crashAt++) {
      const result = await checkCrash(new MemFiles(), async (f) => new AckBeforeSyncLog(f), {
        crashAt,
        appenders: 4,
        perAppender: 10,
        seed: crashAt,
      });
      if (result.lost.length > 0) losing.push(crashAt);
    }
    expect(losing.length).toBeGreaterThan(0);
  });

  it("catches forceSync=false (acknowledged, never synced)", async () => {
    const result = await checkCrash(new MemFiles(), openTxnLog({ forceSync: false }), {
      crashAt: 1000,
      appenders: 4,
      perAppender: 10,
      seed: 7,
    });
    expect(result.lost.length).toBeGreaterThan(0);
  });

  it("crash after append resolved keeps the record; crash before resolve may lose it", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    const pending = log.append(z(2), record(z(2)));
    files.crash();
    await expect(pending).rejects.toThrow();
    files.reboot();
    const rec = await recovered(files);
    expect(rec.txns.map((t) => Number(t.zxid))).toEqual([z(1)]);
  });
});

describe("torn writes", () => {
  for (const preAllocBytes of [0, 4096]) {
    it(`a last record torn at every byte offset is cut off; earlier records stay (preAllocBytes ${preAllocBytes})`, async () => {
      const last = record(z(6), 40);
      const frameBytes = FRAME_HEADER_BYTES + last.length;
      for (let keep = 0; keep <= frameBytes; keep++) {
        const files = new MemFiles();
        const log = await TxnLog.open(memOptions(files, { preAllocBytes }));
        for (let c = 1; c <= 5; c++) await log.append(z(c), record(z(c), 40));
        files.faults.push({ op: "write", effect: { kind: "torn", bytes: keep } });
        await expect(log.append(z(6), last)).rejects.toThrow();
        files.reboot();
        const segment = `${LOG_DIR}/${segmentName(z(1))}`;
        const rec = await recovered(files);
        const expected = Array.from({ length: keep === frameBytes ? 6 : 5 }, (_, i) => z(i + 1));
        expect(rec.txns.map((t) => Number(t.zxid))).toEqual(expected);
        if (keep > 0 && keep < frameBytes) {
          expect(rec.truncatedTail?.file).toBe(segment);
          // Really truncated: the file ends where the torn record began, and stays clean.
          expect(files.stat(segment)?.size).toBe(rec.truncatedTail?.offset);
          expect((await recovered(files)).truncatedTail).toBeUndefined();
        } else {
          expect(rec.truncatedTail).toBeUndefined();
        }
        // The log accepts the lost record again after recovery.
        const again = await TxnLog.open(memOptions(files, { preAllocBytes, lastZxid: rec.lastZxid }));
        await again.append(rec.lastZxid + 1, record(rec.lastZxid + 1));
        expect((await recovered(files)).lastZxid).toBe(rec.lastZxid + 1);
      }
    });
  }

  it("a batch torn mid-way keeps its complete records and cuts the partial one", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    const frame = (c: number): number => FRAME_HEADER_BYTES + record(z(c)).length;
    files.faults.push({ op: "write", effect: { kind: "torn", bytes: frame(2) + frame(3) + 5 } });
    const batch = [2, 3, 4].map((c) => log.append(z(c), record(z(c))));
    for (const p of batch) await expect(p).rejects.toThrow();
    files.reboot();
    const rec = await recovered(files);
    expect(rec.txns.map((t) => Number(t.zxid))).toEqual([z(1), z(2), z(3)]);
    expect(rec.truncatedTail?.reason).toMatch(/CRC|length/);
  });

  for (const [what, bytes] of [
    ["cut short", encodeLogHeader().subarray(0, 7)],
    ["left as preallocated zeros", new Uint8Array(4096)],
    ["empty", new Uint8Array(0)],
  ] as const) {
    it(`a newest segment whose header is ${what} is removed, and its name can be reused`, async () => {
      const files = new MemFiles();
      const log = await TxnLog.open(memOptions(files));
      await log.append(z(1), record(z(1)));
      await log.close();
      const stray = `${LOG_DIR}/${segmentName(z(2))}`;
      files.close(files.open(stray, "wx"));
      files.damage(stray, 0, bytes);
      files.fsyncDir(LOG_DIR);
      const rec = await recovered(files);
      expect(rec.txns.map((t) => Number(t.zxid))).toEqual([z(1)]);
      expect(rec.truncatedTail).toMatchObject({ file: stray, offset: 0 });
      expect(rec.removedSegments).toEqual([stray]);
      const again = await TxnLog.open(memOptions(files, { lastZxid: rec.lastZxid }));
      await again.append(z(2), record(z(2)));
      expect((await recovered(files)).lastZxid).toBe(z(2));
    });
  }
});
