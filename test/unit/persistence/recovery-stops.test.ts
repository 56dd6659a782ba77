import { describe, expect, it } from "vitest";
import {
  encodeLogHeader,
  fillCrcs,
  LOG_HEADER_BYTES,
  packFrames,
  segmentName,
} from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { zxidHex } from "../../../server/util/zxid.js";
import { DATA_DIR, LOG_DIR, memOptions, record, segmentPath, z, zxidRange } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * recover() with truncateAtDamage stops reading at the damage it cuts: a first record that does
 * not match its file name, or a gap at a segment's start, in a segment that is not the last. The
 * segments after it are removed, so reading on would read files that are gone.
 */

async function writeLog(files: MemFiles, counters: number[]): Promise<void> {
  const log = await TxnLog.open(memOptions(files, { preAllocBytes: 0, lastZxid: counters[0]! - 1 }));
  for (const zxid of counters) await log.append(zxid, record(zxid));
  await log.close();
}

/** A segment written by hand under any name, durably: the header, then the frames with CRCs. */
function writeSegment(files: MemFiles, name: string, zxids: number[]): string {
  const path = `${LOG_DIR}/${name}`;
  const frames = packFrames(
    zxids,
    zxids.map((x) => record(x)),
  );
  fillCrcs(frames);
  const bytes = new Uint8Array(LOG_HEADER_BYTES + frames.length);
  bytes.set(encodeLogHeader());
  bytes.set(frames, LOG_HEADER_BYTES);
  files.close(files.open(path, "wx"));
  files.fsyncDir(LOG_DIR);
  files.damage(path, 0, bytes);
  return path;
}

const cutAtDamage = (files: MemFiles) =>
  recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files, truncateAtDamage: true });

describe("truncateAtDamage stops at the damage it cuts", () => {
  it("a first record not matching its name, in a segment that is not the last", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 3));
    const wrong = writeSegment(files, segmentName(z(4)), [z(5), z(6)]);
    const later = writeSegment(files, segmentName(z(7)), [z(7)]);
    const cut = await cutAtDamage(files);
    expect(cut.txns.map((t) => Number(t.zxid))).toEqual(zxidRange(1, 3));
    expect(cut.lastZxid).toBe(z(3));
    expect(cut.removedSegments).toEqual([wrong, later]);
    expect(cut.truncatedTail).toEqual({
      file: wrong,
      offset: LOG_HEADER_BYTES,
      reason: `first record ${zxidHex(z(5))} does not match the file name`,
    });
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("a gap at the start of a segment that is not the last", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 3));
    await writeLog(files, zxidRange(6, 7));
    await writeLog(files, zxidRange(8, 9));
    const cut = await cutAtDamage(files);
    expect(cut.txns.map((t) => Number(t.zxid))).toEqual(zxidRange(1, 3));
    expect(cut.lastZxid).toBe(z(3));
    expect(cut.removedSegments).toEqual([segmentPath(z(6)), segmentPath(z(8))]);
    expect(cut.truncatedTail).toEqual({
      file: segmentPath(z(6)),
      offset: LOG_HEADER_BYTES,
      reason: `records missing between ${zxidHex(z(3))} and ${zxidHex(z(6))}`,
    });
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });
});
