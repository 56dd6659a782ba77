import { describe, expect, it } from "vitest";
import { RECORD_BYTES_MAX, segmentName } from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { TxnLogFailedError } from "../../../server/persistence/storage-error.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { AssertionError } from "../../../server/util/assert.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * What TxnLog refuses and how it says so: appends out of order, too large, after close; a
 * failed disk (the exact message: which log, why, and up to which zxid the records are durable);
 * a truncation that fails, with the appends it held; close and truncate ordering.
 */
const hex = (zxid: number): string => `0x${zxid.toString(16)}`;

const zxidsOf = async (files: MemFiles): Promise<number[]> =>
  (await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files })).txns.map((t) => Number(t.zxid));

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("did not throw");
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

describe("append refuses", () => {
  it("a zxid not above the last, or not a safe integer, naming both zxids", async () => {
    const log = await TxnLog.open(memOptions(new MemFiles()));
    for (const [zxid, message] of [
      [0, `zxid 0x0 after 0x0`],
      [2 ** 53, `zxid 0x20000000000000 after 0x0`],
      [1.5, `zxid 0x1.8 after 0x0`],
    ] as const) {
      const e = thrown(() => log.append(zxid, record(1)));
      expect(e).toBeInstanceOf(AssertionError);
      expect(e.message).toBe(message);
    }
    expect(log.lastZxid).toBe(0);
    await log.append(z(2), record(z(2)));
    expect(thrown(() => log.append(z(1), record(z(1)))).message).toBe(`zxid ${hex(z(1))} after ${hex(z(2))}`);
  });

  it("a record above RECORD_BYTES_MAX, and takes one of exactly that size", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 0 }));
    const e = thrown(() => log.append(z(1), new Uint8Array(RECORD_BYTES_MAX + 1)));
    expect(e).toBeInstanceOf(AssertionError);
    expect(e.message).toBe(`record of ${RECORD_BYTES_MAX + 1} bytes exceeds ${RECORD_BYTES_MAX}`);
    // The refused record did not move lastZxid.
    expect(log.lastZxid).toBe(0);
    await log.append(z(1), new Uint8Array(RECORD_BYTES_MAX));
    expect(files.stat(`${LOG_DIR}/${segmentName(z(1))}`)?.size).toBe(16 + 16 + RECORD_BYTES_MAX);
  });

  it("after close, with TxnLogFailedError 'txn log is closed'; close twice is fine", async () => {
    const log = await TxnLog.open(memOptions(new MemFiles()));
    await log.close();
    await log.close();
    const e = await rejection(log.append(z(1), record(z(1))));
    expect(e).toBeInstanceOf(TxnLogFailedError);
    expect(e.message).toBe("txn log is closed");
    expect(log.failed).toBeUndefined();
  });
});

describe("a failed disk", () => {
  it("fails the log with one error naming the log, the cause and the last durable zxid", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    files.faults.push({ op: "fdatasync", effect: { kind: "error", code: "EIO" } });
    const e = await rejection(log.append(z(2), record(z(2))));
    expect(e).toBeInstanceOf(TxnLogFailedError);
    expect(e.message).toBe(
      `txn log ${LOG_DIR} failed (EIO: fdatasync ${LOG_DIR}/${segmentName(z(1))} (injected)); ` +
        `records after ${hex(z(1))} are not durable and no further appends are accepted`,
    );
    expect((e.cause as NodeJS.ErrnoException).code).toBe("EIO");
    expect(log.failed).toBe(e);
    // Later calls get the same error, without touching the disk.
    const before = files.journal.length;
    await expect(log.append(z(3), record(z(3)))).rejects.toBe(e);
    const last = log.lastZxid;
    await expect(log.truncate(0)).rejects.toBe(e);
    // A refused truncation moves nothing.
    expect(log.lastZxid).toBe(last);
    expect(files.journal.length).toBe(before);
  });

  it("a truncation waiting for a batch that then fails is refused with that failure, cutting nothing", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    files.faults.push({ op: "fdatasync", effect: { kind: "error", code: "EIO" } });
    const mark = files.journal.length;
    const failing = log.append(z(2), record(z(2)));
    const cut = log.truncate(0);
    const e = await rejection(failing);
    await expect(cut).rejects.toBe(e);
    expect(files.journal.slice(mark).filter((l) => /^(unlink|ftruncate|open) /.test(l))).toEqual([]);
    files.crash();
    files.reboot();
    expect(await zxidsOf(files)).toEqual([z(1)]);
  });

  it("a thrown non-Error is named as text", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    const write = files.write.bind(files);
    files.write = () => {
      files.write = write;
      throw "disk gone";
    };
    const e = await rejection(log.append(z(1), record(z(1))));
    expect(e.message).toBe(
      `txn log ${LOG_DIR} failed (disk gone); records after 0x0 are not durable and no further appends are accepted`,
    );
  });

  it("close after a failure does not hang and does not reject", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    files.faults.push({ op: "write", effect: { kind: "error", code: "ENOSPC" } });
    const failing = log.append(z(1), record(z(1)));
    const queued = log.append(z(2), record(z(2)));
    await expect(failing).rejects.toThrow(TxnLogFailedError);
    await expect(queued).rejects.toBe(log.failed);
    await log.close();
  });
});

describe("truncate", () => {
  it("lowers lastZxid and durableZxid to the cut, never raises them", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    for (let c = 1; c <= 8; c++) await log.append(z(c), record(z(c)));
    await log.truncate(z(20));
    expect([log.lastZxid, log.durableZxid]).toEqual([z(8), z(8)]);
    await log.append(z(9), record(z(9)));
    await log.truncate(z(5));
    expect([log.lastZxid, log.durableZxid]).toEqual([z(5), z(5)]);
    await log.append(z(6, 2), record(z(6, 2)));
    expect(await zxidsOf(files)).toEqual([1, 2, 3, 4, 5].map((c) => z(c)).concat(z(6, 2)));
  });

  it("one at a time", async () => {
    const log = await TxnLog.open(memOptions(new MemFiles()));
    await log.append(z(1), record(z(1)));
    const first = log.truncate(0);
    const e = thrown(() => log.truncate(0));
    expect(e).toBeInstanceOf(AssertionError);
    expect(e.message).toBe("one truncation at a time");
    await first;
    await log.truncate(0);
  });

  it("waits for the batch in flight, then cuts, then writes what was appended meanwhile", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    const inFlight = log.append(z(2), record(z(2)));
    // Let the batch reach the disk's write (the inline writer yields before fdatasync).
    await new Promise((r) => setImmediate(r));
    const mark = files.journal.length;
    const cut = log.truncate(z(1));
    const held = log.append(z(2, 2), record(z(2, 2)));
    await Promise.all([inFlight, cut, held]);
    const ops = files.journal.slice(mark).map((l) => l.split(" ")[0]);
    // fdatasync of the batch in flight, the close's fdatasync, the cut, then the held record.
    expect(ops.indexOf("ftruncate")).toBeGreaterThan(ops.indexOf("fdatasync"));
    expect(ops.lastIndexOf("write")).toBeGreaterThan(ops.indexOf("ftruncate"));
    expect(await zxidsOf(files)).toEqual([z(1), z(2, 2)]);
  });

  it("that fails fails the log, and rejects the appends it held", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { segmentBytesMax: 1024 }));
    for (let c = 1; c <= 30; c++) await log.append(z(c), record(z(c), 50));
    expect(files.readdir(LOG_DIR).length).toBeGreaterThan(1);
    files.faults.push({ op: "unlink", effect: { kind: "error", code: "EIO" } });
    const cut = log.truncate(z(2));
    const held = log.append(z(3, 2), record(z(3, 2)));
    const e = await rejection(cut);
    expect(e).toBeInstanceOf(TxnLogFailedError);
    expect(e.message).toMatch(new RegExp(`^txn log ${LOG_DIR} failed \\(EIO: unlink ${LOG_DIR}/log\\.`));
    expect(log.failed).toBe(e);
    await expect(held).rejects.toBe(e);
    await expect(log.append(z(4, 2), record(z(4, 2)))).rejects.toBe(e);
    // close waits for the failed truncation and does not reject.
    await log.close();
  });

  it("close waits for a truncation under way, and flushes what it held", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    await log.append(z(2), record(z(2)));
    const cut = log.truncate(z(1));
    const held = log.append(z(2, 2), record(z(2, 2)));
    await log.close();
    await Promise.all([cut, held]);
    expect(await zxidsOf(files)).toEqual([z(1), z(2, 2)]);
  });
});

describe("close", () => {
  it("flushes appends not yet written before it returns", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { batchCountMax: 2 }));
    const appends = [1, 2, 3, 4, 5].map((c) => log.append(z(c), record(z(c))));
    await log.close();
    expect(log.durableZxid).toBe(z(5));
    files.crash();
    files.reboot();
    expect(await zxidsOf(files)).toEqual([1, 2, 3, 4, 5].map((c) => z(c)));
    await Promise.all(appends);
  });
});
