import { describe, expect, it } from "vitest";
import {
  encodeLogHeader,
  FRAME_HEADER_BYTES,
  fillCrcs,
  LOG_HEADER_BYTES,
  packFrames,
  segmentName,
} from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { writeSnapshot } from "../../../server/persistence/snapshot.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { TxnLog, type TxnLogOptions } from "../../../server/persistence/txn-log.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

async function writeLog(files: MemFiles, zxids: number[], over: Partial<TxnLogOptions> = {}): Promise<void> {
  const log = await TxnLog.open(memOptions(files, over));
  for (const zxid of zxids) await log.append(zxid, record(zxid, 30));
  await log.close();
}

const range = (from: number, to: number, epoch = 1): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => z(from + i, epoch));

const seg = (zxid: number): string => `${LOG_DIR}/${segmentName(zxid)}`;

function offsetOf(files: MemFiles, file: string, zxid: number): number {
  const rec = scanSegment(files.readFile(file), 0).records.find((r) => r.zxid === zxid);
  if (rec === undefined) throw new Error(`no ${zxid} in ${file}`);
  return rec.offset;
}

async function corruptionOf(p: Promise<unknown>): Promise<StorageCorruptionError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StorageCorruptionError);
  return e as StorageCorruptionError;
}

const run = (files: MemFiles, truncateAtDamage = false) =>
  recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files, truncateAtDamage });
const zxids = (r: { txns: { zxid: bigint }[] }): number[] => r.txns.map((t) => Number(t.zxid));

const snapshotAt = (files: MemFiles, zxid: number) =>
  writeSnapshot(DATA_DIR, { zxid, digest: 7n, acls: [], nodes: [], sessions: [], nodeCount: 0 }, files);

describe("recovery: damage before the tail", () => {
  for (const [what, patch] of [
    ["a flipped payload byte", (at: number) => ({ at: at + 20, bytes: [0x5a] })],
    ["a damaged CRC", (at: number) => ({ at: at + 4, bytes: [1, 2, 3, 4] })],
    ["a huge length", (at: number) => ({ at, bytes: [0xff, 0xff, 0xff, 0x0f] })],
    ["a zeroed frame header", (at: number) => ({ at, bytes: new Array(16).fill(0) })],
  ] as const) {
    it(`${what} in the middle is a hard error naming file and offset; truncateAtDamage cuts there`, async () => {
      const files = new MemFiles();
      await writeLog(files, range(1, 10));
      const file = seg(z(1));
      const at = offsetOf(files, file, z(5));
      const p = patch(at);
      files.damage(file, p.at, p.bytes);
      const e = await corruptionOf(run(files));
      expect(e.file).toBe(file);
      expect(e.offset).toBe(at);
      expect(e.message).toContain(file);
      expect(e.message).toContain(`offset ${at}`);
      const cut = await run(files, true);
      expect(zxids(cut)).toEqual(range(1, 4));
      expect(cut.truncatedTail).toMatchObject({ file, offset: at });
      expect(files.stat(file)?.size).toBe(at);
      expect(zxids(await run(files))).toEqual(range(1, 4));
    });
  }

  it("damage in an earlier segment drops the later segments under truncateAtDamage", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 30), { segmentBytesMax: 1024, batchCountMax: 1 });
    const names = files.readdir(LOG_DIR);
    expect(names.length).toBeGreaterThan(2);
    const file = seg(z(1));
    const at = offsetOf(files, file, z(3));
    files.damage(file, at + 17, [0xee]);
    const e = await corruptionOf(run(files));
    expect([e.file, e.offset]).toEqual([file, at]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual(range(1, 2));
    expect(cut.removedSegments.length).toBe(names.length - 1);
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("a torn tail in a segment that is not the last is damage, not a tail", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 30), { segmentBytesMax: 1024, batchCountMax: 1, preAllocBytes: 0 });
    const file = seg(z(1));
    const lastInFirst = scanSegment(files.readFile(file), 0).records.at(-1)!;
    const fd = files.open(file, "r+");
    files.ftruncate(fd, lastInFirst.offset + 10);
    files.fdatasync(fd);
    files.close(fd);
    const e = await corruptionOf(run(files));
    expect([e.file, e.offset]).toEqual([file, lastInFirst.offset]);
    expect(e.reason).toMatch(/later segments exist/);
  });
});

describe("recovery: missing segments and epochs", () => {
  it("a missing middle segment within an epoch is a hard error naming the next segment", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 30), { segmentBytesMax: 1024, batchCountMax: 1 });
    const names = files
      .readdir(LOG_DIR)
      .sort((a, b) => Number.parseInt(a.slice(4), 16) - Number.parseInt(b.slice(4), 16));
    const middle = names[1]!;
    const after = names[2]!;
    files.unlink(`${LOG_DIR}/${middle}`);
    const e = await corruptionOf(run(files));
    expect(e.file).toBe(`${LOG_DIR}/${after}`);
    expect(e.offset).toBe(16);
    expect(e.reason).toMatch(/records missing/);
    const cut = await run(files, true);
    expect(cut.lastZxid).toBe(Number.parseInt(middle.slice(4), 16) - 1);
  });

  it("an epoch change between segments is not a gap (the counter restarts)", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 5, 1));
    await writeLog(files, range(1, 3, 2), { lastZxid: z(5, 1) });
    await writeLog(files, range(7, 8, 2), { lastZxid: z(3, 2) });
    // 2:4..2:6 missing inside epoch 2 is a gap; 1:5 → 2:1 is not.
    const e = await corruptionOf(run(files));
    expect(e.file).toBe(seg(z(7, 2)));
    files.unlink(seg(z(7, 2)));
    expect(zxids(await run(files))).toEqual([...range(1, 5, 1), ...range(1, 3, 2)]);
  });
});

describe("recovery with snapshots", () => {
  it("replays only the records after the snapshot, starting in the segment that holds zxid+1", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 40), { segmentBytesMax: 1024, batchCountMax: 1 });
    await snapshotAt(files, z(17));
    const r = await run(files);
    expect(r.snapshot?.header.zxid).toBe(BigInt(z(17)));
    expect(zxids(r)).toEqual(range(18, 40));
    expect(r.lastZxid).toBe(z(40));
  });

  it("a snapshot newer than the whole log leaves nothing to replay", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 5));
    await snapshotAt(files, z(9));
    const r = await run(files);
    expect(zxids(r)).toEqual([]);
    expect(r.lastZxid).toBe(z(9));
  });

  it("a log that starts after snapshot zxid+1 (same epoch) is a gap", async () => {
    const files = new MemFiles();
    await snapshotAt(files, z(3));
    await writeLog(files, range(6, 9), { lastZxid: z(5) });
    const e = await corruptionOf(run(files));
    expect([e.file, e.offset]).toEqual([seg(z(6)), 16]);
    expect(e.reason).toMatch(/snapshot/);
  });

  it("a damaged newest snapshot is skipped when the log covers it, and reported", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 10));
    await snapshotAt(files, z(3));
    const newest = await snapshotAt(files, z(6));
    files.damage(newest, 30, [0xab, 0xcd]);
    const r = await run(files);
    expect(r.snapshot?.header.zxid).toBe(BigInt(z(3)));
    expect(zxids(r)).toEqual(range(4, 10));
    expect(r.damagedSnapshots).toEqual([expect.objectContaining({ file: newest })]);
  });

  it("a damaged newest snapshot is a hard error when the log does not reach it", async () => {
    const files = new MemFiles();
    await writeLog(files, range(1, 5));
    await snapshotAt(files, z(3));
    const newest = await snapshotAt(files, z(8));
    files.damage(newest, 30, [0xab]);
    const e = await corruptionOf(run(files));
    expect(e.file).toBe(newest);
    expect(e.reason).toMatch(/cannot replace/);
  });

  it("a damaged only snapshot is a hard error", async () => {
    const files = new MemFiles();
    const only = await snapshotAt(files, z(3));
    files.damage(only, 20, [0xff]);
    const e = await corruptionOf(run(files));
    expect(e.file).toBe(only);
  });
});

describe("segment reader: a frame whose CRC checks out", () => {
  it("reports a zxid beyond 2^53 as corruption instead of a rounded record (found by fuzzing)", () => {
    const payload = record(z(1));
    const frames = packFrames([z(1), z(2)], [payload, record(z(2))]);
    // The second frame's zxid becomes 2^56 + 3 (no number holds it exactly); CRCs then match again.
    const view = new DataView(frames.buffer, frames.byteOffset, frames.byteLength);
    const second = FRAME_HEADER_BYTES + payload.length;
    view.setUint32(second + 8, 3, true);
    view.setUint32(second + 12, 0x0100_0000, true);
    fillCrcs(frames);
    const bytes = Buffer.concat([encodeLogHeader(), frames]);
    const scan = scanSegment(bytes, 0);
    expect(scan.records.map((r) => r.zxid)).toEqual([z(1)]);
    expect(scan.end).toMatchObject({ kind: "corrupt", offset: LOG_HEADER_BYTES + second });
    expect(scan.end.kind === "corrupt" && scan.end.reason).toMatch(/is beyond 2\^53/);
  });
});
