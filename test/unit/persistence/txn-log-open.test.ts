import { describe, expect, it } from "vitest";
import { encodeLogHeader, segmentName } from "../../../server/persistence/log-format.js";
import { TxnLog, type TxnLogOptions } from "../../../server/persistence/txn-log.js";
import { AssertionError } from "../../../server/util/assert.js";
import { LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * TxnLog.open: the option checks (each refusal names its option, and nothing is created on
 * disk before them), and where a log opened without recover()'s answer continues: after the
 * newest segment's last record, with empty newest segments removed durably and a damaged tail
 * refused.
 */
async function refusal(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

async function logOf(files: MemFiles, counters: number[], over: Partial<TxnLogOptions> = {}): Promise<void> {
  const log = await TxnLog.open(memOptions(files, { lastZxid: (counters[0] ?? 1) - 1, ...over }));
  for (const c of counters) await log.append(z(c), record(z(c)));
  await log.close();
}

/** A segment holding only its header, durable (a writer that crashed before its first record). */
function headerOnly(files: MemFiles, firstZxid: number): string {
  const path = `${LOG_DIR}/${segmentName(firstZxid)}`;
  const fd = files.open(path, "wx");
  const header = encodeLogHeader();
  files.write(fd, header, 0, header.length, 0);
  files.fdatasync(fd);
  files.close(fd);
  files.fsyncDir(LOG_DIR);
  return path;
}

describe("TxnLog.open refuses bad options, naming them, before touching the disk", () => {
  for (const [over, message] of [
    [{ preAllocBytes: -1 }, "preAllocBytes"],
    [{ preAllocBytes: 1.5 }, "preAllocBytes"],
    [{ segmentBytesMax: 1023 }, "segmentBytesMax must be >= 1 KiB"],
    [{ batchCountMax: 0 }, "batch limits must be >= 1"],
    [{ batchBytesMax: 0 }, "batch limits must be >= 1"],
    [{ zeroAheadBytes: -1 }, "zeroAheadBytes must be >= 0"],
  ] as const) {
    it(`${JSON.stringify(over)}: ${message}`, async () => {
      const files = new MemFiles();
      const e = await refusal(TxnLog.open(memOptions(files, over)));
      expect(e).toBeInstanceOf(AssertionError);
      expect(e.message).toBe(message);
      expect(files.stat(LOG_DIR)).toBeUndefined();
    });
  }

  it("accepts each limit at its boundary: no preallocation, 1 KiB segments, batches of 1, no zeros", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(
      memOptions(files, {
        preAllocBytes: 0,
        segmentBytesMax: 1024,
        batchCountMax: 1,
        batchBytesMax: 1,
        zeroAheadBytes: 0,
      }),
    );
    // A record larger than batchBytesMax still goes, alone.
    await Promise.all([1, 2, 3].map((c) => log.append(z(c), record(z(c), 100))));
    expect(log.stats.fsyncs).toBe(3);
    expect(log.durableZxid).toBe(z(3));
  });
});

describe("TxnLog.open without lastZxid continues after the newest segment", () => {
  it("creates a missing directory and starts at zxid 0", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    expect(files.stat(LOG_DIR)).toEqual({ size: 0, isDirectory: true });
    expect([log.lastZxid, log.durableZxid]).toEqual([0, 0]);
    // Any positive zxid may come first.
    await log.append(1, record(1));
    expect(log.durableZxid).toBe(1);
  });

  it("reads the last record of the newest segment, not of an older one", async () => {
    const files = new MemFiles();
    await logOf(files, [1, 2, 3]);
    await logOf(files, [4, 5]);
    const log = await TxnLog.open(memOptions(files));
    expect([log.lastZxid, log.durableZxid]).toEqual([z(5), z(5)]);
    const e = await refusal(Promise.resolve().then(() => log.append(z(5), record(z(5)))));
    expect(e).toBeInstanceOf(AssertionError);
    expect(e.message).toBe(`zxid 0x${z(5).toString(16)} after 0x${z(5).toString(16)}`);
  });

  it("takes lastZxid from the options when given, without reading the segments", async () => {
    const files = new MemFiles();
    await logOf(files, [1, 2]);
    const log = await TxnLog.open(memOptions(files, { lastZxid: z(9) }));
    expect([log.lastZxid, log.durableZxid]).toEqual([z(9), z(9)]);
  });

  it("removes empty newest segments, durably, and continues after the last record before them", async () => {
    const files = new MemFiles();
    await logOf(files, [1, 2]);
    const emptyA = headerOnly(files, z(3));
    const emptyB = headerOnly(files, z(4));
    const mark = files.journal.length;
    const log = await TxnLog.open(memOptions(files));
    expect(log.lastZxid).toBe(z(2));
    expect(files.journal.slice(mark)).toEqual([
      `unlink ${emptyB}`,
      `fsyncDir ${LOG_DIR}`,
      `unlink ${emptyA}`,
      `fsyncDir ${LOG_DIR}`,
    ]);
    files.crash();
    files.reboot();
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("starts at 0 when every segment is empty, and the next record may reuse a removed name", async () => {
    const files = new MemFiles();
    files.mkdir(LOG_DIR);
    headerOnly(files, z(1));
    const log = await TxnLog.open(memOptions(files));
    expect(log.lastZxid).toBe(0);
    expect(files.readdir(LOG_DIR)).toEqual([]);
    await log.append(z(1), record(z(1)));
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("refuses a newest segment with a damaged tail, naming file, offset and reason", async () => {
    const files = new MemFiles();
    await logOf(files, [1, 2], { preAllocBytes: 0 });
    const path = `${LOG_DIR}/${segmentName(z(1))}`;
    const size = files.stat(path)!.size;
    // Cut the last record short: a torn tail that recovery would truncate.
    const fd = files.open(path, "r+");
    files.ftruncate(fd, size - 3);
    files.fdatasync(fd);
    files.close(fd);
    const second = 16 + 16 + record(z(1)).length;
    const e = await refusal(TxnLog.open(memOptions(files)));
    expect(e.message).toBe(
      `${path} has a damaged tail at offset ${second} (record length ${record(z(2)).length} runs past the end); run recovery first`,
    );
    // Nothing was removed: recovery decides.
    expect(files.stat(path)?.size).toBe(size - 3);
  });
});
