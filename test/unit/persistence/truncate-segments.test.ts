import { describe, expect, it } from "vitest";
import { segmentName } from "../../../server/persistence/log-format.js";
import { truncateSegments } from "../../../server/persistence/log-truncate.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * truncateSegments on its own (ZAB's TRUNC below TxnLog): which files it deletes or shortens,
 * where it cuts, the order of its unlinks and syncs, and that it leaves the disk untouched when
 * nothing is above the cut.
 */
const seg = (zxid: number): string => `${LOG_DIR}/${segmentName(zxid)}`;

/** Three segments: z1..z4, z5..z8, z9..z10 (no preallocation, so sizes are exact). */
async function threeSegments(): Promise<MemFiles> {
  const files = new MemFiles();
  for (const [from, to] of [
    [1, 4],
    [5, 8],
    [9, 10],
  ] as const) {
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 0, lastZxid: z(from - 1) }));
    for (let c = from; c <= to; c++) await log.append(z(c), record(z(c)));
    await log.close();
  }
  return files;
}

const zxidsIn = (files: MemFiles, path: string): number[] =>
  scanSegment(files.readFile(path), 0).records.map((r) => r.zxid);

function rebooted(files: MemFiles): MemFiles {
  files.crash();
  files.reboot();
  return files;
}

describe("truncateSegments", () => {
  it("deletes later segments and shortens the one holding the cut right after the kept record", async () => {
    const files = await threeSegments();
    const keptEnd = scanSegment(files.readFile(seg(z(5))), 0).records[2]!.offset;
    const mark = files.journal.length;
    expect(truncateSegments(files, LOG_DIR, z(6))).toEqual([seg(z(9)), seg(z(5))]);
    expect(files.journal.slice(mark)).toEqual([
      `unlink ${seg(z(9))}`,
      `open ${seg(z(5))}`,
      `ftruncate ${seg(z(5))}`,
      `fsync ${seg(z(5))}`,
      `fsyncDir ${LOG_DIR}`,
    ]);
    rebooted(files);
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1)), segmentName(z(5))]);
    expect(files.stat(seg(z(5)))?.size).toBe(keptEnd);
    expect(zxidsIn(files, seg(z(5)))).toEqual([z(5), z(6)]);
    expect(zxidsIn(files, seg(z(1)))).toEqual([z(1), z(2), z(3), z(4)]);
  });

  it("keeps a segment whose first record is the cut, whole when it holds nothing above", async () => {
    const files = await threeSegments();
    const size = files.stat(seg(z(9)))!.size;
    expect(truncateSegments(files, LOG_DIR, z(10))).toEqual([]);
    expect(truncateSegments(files, LOG_DIR, z(9))).toEqual([seg(z(9))]);
    rebooted(files);
    expect(zxidsIn(files, seg(z(9)))).toEqual([z(9)]);
    expect(files.stat(seg(z(9)))!.size).toBeLessThan(size);
  });

  it("deletes a segment that starts right above the cut and leaves the older one whole", async () => {
    const files = await threeSegments();
    const sizeOfFirst = files.stat(seg(z(1)))!.size;
    const mark = files.journal.length;
    expect(truncateSegments(files, LOG_DIR, z(4))).toEqual([seg(z(9)), seg(z(5))]);
    expect(files.journal.slice(mark)).toEqual([
      `unlink ${seg(z(9))}`,
      `unlink ${seg(z(5))}`,
      `fsyncDir ${LOG_DIR}`,
    ]);
    rebooted(files);
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
    expect(files.stat(seg(z(1)))!.size).toBe(sizeOfFirst);
  });

  it("deletes every segment for a cut below the first record", async () => {
    const files = await threeSegments();
    expect(truncateSegments(files, LOG_DIR, 0)).toEqual([seg(z(9)), seg(z(5)), seg(z(1))]);
    expect(rebooted(files).readdir(LOG_DIR)).toEqual([]);
  });

  it("touches nothing, not even the directory, when nothing is above the cut or there is no log", async () => {
    const files = await threeSegments();
    const mark = files.journal.length;
    expect(truncateSegments(files, LOG_DIR, z(11))).toEqual([]);
    expect(truncateSegments(files, "/data/none", 0)).toEqual([]);
    expect(files.journal.slice(mark)).toEqual([]);
  });
});
