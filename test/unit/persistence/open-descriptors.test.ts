import { describe, expect, it } from "vitest";
import { segmentName } from "../../../server/persistence/log-format.js";
import { truncateSegments } from "../../../server/persistence/log-truncate.js";
import { recover } from "../../../server/persistence/recovery.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * The log's cuts close the segment they shorten: a descriptor left open per TRUNC or per
 * recovery would leak one file handle each time, unseen by any result.
 */
async function twoSegments(): Promise<MemFiles> {
  const files = new MemFiles();
  for (const [from, to] of [
    [1, 3],
    [4, 6],
  ] as const) {
    const log = await TxnLog.open(memOptions(files, { preAllocBytes: 0, lastZxid: z(from - 1) }));
    for (let c = from; c <= to; c++) await log.append(z(c), record(z(c)));
    await log.close();
  }
  return files;
}

describe("no descriptor is left open", () => {
  it("by truncateSegments shortening a segment", async () => {
    const files = await twoSegments();
    expect(files.openFiles).toBe(0);
    expect(truncateSegments(files, LOG_DIR, z(5))).toEqual([`${LOG_DIR}/${segmentName(z(4))}`]);
    expect(files.openFiles).toBe(0);
  });

  it("by recovery cutting a torn tail", async () => {
    const files = await twoSegments();
    const path = `${LOG_DIR}/${segmentName(z(4))}`;
    // A stray byte after the last record: a torn tail of the last segment, cut on recovery.
    files.damage(path, files.stat(path)!.size, [0x07]);
    const r = await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files });
    expect(r.truncatedTail?.file).toBe(path);
    expect(r.lastZxid).toBe(z(6));
    expect(files.openFiles).toBe(0);
  });
});
