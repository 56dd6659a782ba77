import { describe, expect, it } from "vitest";
import { segmentName } from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { TxnLogFailedError } from "../../../server/persistence/storage-error.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { AssertionError } from "../../../server/util/assert.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

const zxidsOf = async (files: MemFiles): Promise<number[]> =>
  (await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files })).txns.map((t) => Number(t.zxid));

const count = (files: MemFiles, op: string): number =>
  files.journal.filter((j) => j.startsWith(`${op} `)).length;

describe("TxnLog group commit", () => {
  it("makes appended records durable and recoverable in order", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await Promise.all([1, 2, 3].map((c) => log.append(z(c), record(z(c)))));
    expect(log.lastZxid).toBe(z(3));
    expect(log.durableZxid).toBe(z(3));
    files.crash();
    files.reboot();
    expect(await zxidsOf(files)).toEqual([z(1), z(2), z(3)]);
  });

  it("puts everything appended in one turn into one write + fdatasync", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(z(i + 1), record(z(i + 1)))));
    expect(log.stats.fsyncs).toBe(1);
    expect(log.stats.records).toBe(100);
    expect(count(files, "fdatasync")).toBe(1);
  });

  it("gathers appends made while a flush runs into the next batch", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    const first = log.append(z(1), record(z(1)));
    // Let the first batch start (its flush yields between write and fdatasync), then pile on.
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4, 5].map((c) => log.append(z(c), record(z(c))));
    await Promise.all([first, ...rest]);
    expect(log.stats.fsyncs).toBe(2);
    expect(log.stats.recordsPerFsyncAvg).toBe(2.5);
  });

  it("bounds a batch by batchCountMax and batchBytesMax", async () => {
    const files = new MemFiles();
    const byCount = await TxnLog.open(memOptions(files, { batchCountMax: 10 }));
    await Promise.all(Array.from({ length: 95 }, (_, i) => byCount.append(z(i + 1), record(z(i + 1)))));
    expect(byCount.stats.fsyncs).toBe(10);
    await byCount.close();
    const frame = record(z(200)).length + 16;
    const byBytes = await TxnLog.open(memOptions(files, { batchBytesMax: frame * 4 }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => byBytes.append(z(200 + i), record(z(200 + i)))));
    expect(byBytes.stats.fsyncs).toBe(5);
  });

  it("asserts strictly increasing zxids", async () => {
    const log = await TxnLog.open(memOptions(new MemFiles()));
    await log.append(z(5), record(z(5)));
    expect(() => log.append(z(5), record(z(5)))).toThrow(AssertionError);
    expect(() => log.append(z(4), record(z(4)))).toThrow(AssertionError);
  });

  it("skips fdatasync without forceSync", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { forceSync: false }));
    await log.append(z(1), record(z(1)));
    await log.close();
    expect(count(files, "fdatasync")).toBe(0);
  });

  it("continues after close and reopen in a new segment named by its first zxid", async () => {
    const files = new MemFiles();
    const a = await TxnLog.open(memOptions(files));
    await a.append(z(1), record(z(1)));
    await a.append(z(2), record(z(2)));
    await a.close();
    await expect(a.append(z(3), record(z(3)))).rejects.toThrow(/closed/);
    const b = await TxnLog.open(memOptions(files));
    expect(b.lastZxid).toBe(z(2));
    await b.append(z(3), record(z(3)));
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1)), segmentName(z(3))]);
    files.crash();
    files.reboot();
    expect(await zxidsOf(files)).toEqual([z(1), z(2), z(3)]);
  });

  it("survives short writes by writing the rest", async () => {
    const files = new MemFiles();
    files.faults.push({ op: "write", effect: { kind: "short", bytes: 3 }, sticky: true });
    const log = await TxnLog.open(memOptions(files));
    await Promise.all([1, 2, 3, 4].map((c) => log.append(z(c), record(z(c), 100))));
    files.faults = [];
    files.crash();
    files.reboot();
    expect(await zxidsOf(files)).toEqual([z(1), z(2), z(3), z(4)]);
  });
});

describe("TxnLog failures (fsyncgate: never retry, never acknowledge)", () => {
  for (const [op, code] of [
    ["fdatasync", "EIO"],
    ["write", "ENOSPC"],
    ["ftruncate", "ENOSPC"],
  ] as const) {
    it(`${op} ${code}: append rejects and the log refuses everything after`, async () => {
      const files = new MemFiles();
      const log = await TxnLog.open(memOptions(files, { preAllocBytes: 256 }));
      await log.append(z(1), record(z(1)));
      files.faults.push({ op, effect: { kind: "error", code } });
      const failing = log.append(z(2), record(z(2), 300));
      await new Promise((r) => setImmediate(r));
      const queued = log.append(z(3), record(z(3)));
      await expect(failing).rejects.toThrow(TxnLogFailedError);
      await expect(queued).rejects.toThrow(TxnLogFailedError);
      expect(log.failed?.message).toContain(code);
      await expect(log.append(z(4), record(z(4)))).rejects.toBe(log.failed);
      expect(log.durableZxid).toBe(z(1));
      expect(count(files, "fdatasync")).toBe(op === "fdatasync" ? 2 : 1);
      files.crash();
      files.reboot();
      expect(await zxidsOf(files)).toEqual([z(1)]);
    });
  }
});

describe("TxnLog.appendAll (one promise for a Ready's records)", () => {
  it("resolves once every record is durable, even across batches", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { batchCountMax: 3 }));
    const all = log.appendAll([1, 2, 3, 4, 5, 6, 7].map((c) => ({ zxid: z(c), record: record(z(c)) })));
    await all;
    expect(log.durableZxid).toBe(z(7));
    expect(log.stats.fsyncs).toBe(3);
    files.crash();
    files.reboot();
    expect(await zxidsOf(files)).toEqual([1, 2, 3, 4, 5, 6, 7].map((c) => z(c)));
  });

  it("rejects when a later batch of its records fails, though an earlier one was durable", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { batchCountMax: 2 }));
    // The second batch's fdatasync fails: records 1-2 are durable, 3-4 are not.
    files.faults.push({ op: "fdatasync", skip: 1, effect: { kind: "error", code: "EIO" } });
    const all = log.appendAll([1, 2, 3, 4].map((c) => ({ zxid: z(c), record: record(z(c)) })));
    await expect(all).rejects.toThrow(TxnLogFailedError);
    expect(log.durableZxid).toBe(z(2));
  });
});

describe("segments and preallocation", () => {
  it("rolls past segmentBytesMax; names segments by first zxid; recovers across them", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { segmentBytesMax: 1024, batchCountMax: 3 }));
    for (let c = 1; c <= 60; c++) await log.append(z(c), record(z(c), 50));
    const names = files.readdir(LOG_DIR);
    expect(names.length).toBeGreaterThan(3);
    expect(names[0]).toBe(segmentName(z(1)));
    files.crash();
    files.reboot();
    const zxids = await zxidsOf(files);
    expect(zxids).toEqual(Array.from({ length: 60 }, (_, i) => z(i + 1)));
    for (const name of names) {
      const first = Number.parseInt(name.slice(4), 16);
      expect(zxids).toContain(first);
    }
  });

  it("extends the file in preAllocBytes steps, and the zero tail reads as the end", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 4096 }));
    const file = `${LOG_DIR}/${segmentName(z(1))}`;
    await log.append(z(1), record(z(1)));
    expect(files.stat(file)?.size).toBe(4096);
    for (let c = 2; c <= 60; c++) await log.append(z(c), record(z(c), 100));
    expect(files.stat(file)!.size % 4096).toBe(0);
    expect(files.stat(file)!.size).toBeGreaterThan(4096);
    files.crash();
    files.reboot();
    const rec = await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files });
    expect(rec.txns.length).toBe(60);
    expect(rec.truncatedTail).toBeUndefined();
  });

  it("without preallocation the file is exactly the data", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 0 }));
    await log.append(z(1), record(z(1)));
    expect(files.stat(`${LOG_DIR}/${segmentName(z(1))}`)?.size).toBe(16 + 16 + record(z(1)).length);
  });

  it("recovers across an epoch change (the counter restarts, no gap)", async () => {
    const files = new MemFiles();
    const a = await TxnLog.open(memOptions(files));
    await a.append(z(1, 1), record(z(1, 1)));
    await a.append(z(2, 1), record(z(2, 1)));
    await a.close();
    const b = await TxnLog.open(memOptions(files));
    await b.append(z(1, 2), record(z(1, 2)));
    files.crash();
    files.reboot();
    expect(await zxidsOf(files)).toEqual([z(1, 1), z(2, 1), z(1, 2)]);
  });
});
