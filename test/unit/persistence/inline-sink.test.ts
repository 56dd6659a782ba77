import { describe, expect, it } from "vitest";
import { packFrames, segmentName } from "../../../server/persistence/log-format.js";
import { InlineSink } from "../../../server/persistence/log-sink.js";
import { TxnLogFailedError } from "../../../server/persistence/storage-error.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * The inline sink (an injected FileLayer: tests and the simulator) as the worker behaves: one
 * batch at a time, a turn of the event loop between write and fdatasync, zeros written after
 * the batch is durable, and a failure writing them failing the next batch instead of this one.
 */
const PATH = `${LOG_DIR}/${segmentName(z(1))}`;

describe("InlineSink", () => {
  it("holds one batch at a time and yields between the write and the fdatasync", async () => {
    const files = new MemFiles();
    files.mkdir(LOG_DIR);
    const sink = new InlineSink(
      { dir: LOG_DIR, forceSync: true, preAllocBytes: 0, segmentBytesMax: 1 << 20, zeroAheadBytes: 0 },
      files,
    );
    expect(sink.batchesInFlightMax).toBe(1);
    const done = sink.flush(packFrames([z(1)], [record(z(1))]));
    expect(files.journal).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(files.journal).toEqual([`open ${PATH}`, `write ${PATH}`, `fsyncDir ${LOG_DIR}`, `write ${PATH}`]);
    await done;
    expect(files.journal.at(-1)).toBe(`fdatasync ${PATH}`);
    await sink.close();
    expect(files.journal.at(-1)).toBe(`fdatasync ${PATH}`);
    expect(files.journal.filter((l) => l.startsWith("fdatasync")).length).toBe(2);
  });

  it("writes zeros after a batch is durable; a failure there fails the next batch, not this one", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 4096, zeroAheadBytes: 1024 }));
    // Writes: the header, the first batch, then the zeros ahead.
    files.faults.push({ op: "write", skip: 2, effect: { kind: "error", code: "ENOSPC" } });
    await log.append(z(1), record(z(1)));
    expect(log.durableZxid).toBe(z(1));
    const writes = files.journal.filter((l) => l.startsWith("write ")).length;
    expect(writes).toBe(3);
    const next = log.append(z(2), record(z(2)));
    await expect(next).rejects.toThrow(TxnLogFailedError);
    await expect(next).rejects.toThrow(
      `txn log ${LOG_DIR} failed (ENOSPC: write ${PATH} (injected)); records after 0x100000001`,
    );
    // The failed zeros are not retried, and the next batch was never written.
    expect(files.journal.filter((l) => l.startsWith("write ")).length).toBe(writes);
  });

  it("zeros ahead are synced: a batch, then its zeros with their own fdatasync", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 4096, zeroAheadBytes: 1024 }));
    await log.append(z(1), record(z(1)));
    expect(files.journal.filter((l) => /^(write|fdatasync) /.test(l))).toEqual([
      `write ${PATH}`,
      `write ${PATH}`,
      `fdatasync ${PATH}`,
      `write ${PATH}`,
      `fdatasync ${PATH}`,
    ]);
    expect(files.durableBytes(PATH)?.length).toBe(4096);
  });
});
