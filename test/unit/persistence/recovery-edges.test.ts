import { describe, expect, it } from "vitest";
import { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import {
  encodeLogHeader,
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
import { zxidHex } from "../../../server/util/zxid.js";
import { DATA_DIR, LOG_DIR, memOptions, record, segmentPath, txn, z, zxidRange } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * recover() at each kind of damage it names, with the exact reason, file and offset, what
 * truncateAtDamage keeps and removes (durably: each test crashes and reboots before looking),
 * and which snapshot it picks when several are damaged.
 */
const zxids = (r: { txns: Txn[] }): number[] => r.txns.map((t) => Number(t.zxid));
const run = (files: MemFiles, truncateAtDamage = false) =>
  recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files, truncateAtDamage });

async function writeLog(
  files: MemFiles,
  counters: number[],
  over: Partial<TxnLogOptions> = {},
): Promise<void> {
  const log = await TxnLog.open(memOptions(files, { preAllocBytes: 0, lastZxid: counters[0]! - 1, ...over }));
  for (const zxid of counters) await log.append(zxid, record(zxid));
  await log.close();
}

/** A segment file written by hand, durably: the header, then the frames with their CRCs. */
function writeSegment(files: MemFiles, name: string, zxidList: number[], payloads: Uint8Array[]): string {
  files.mkdir(LOG_DIR);
  const path = `${LOG_DIR}/${name}`;
  const frames = packFrames(zxidList, payloads);
  if (zxidList.length > 0) fillCrcs(frames);
  const bytes = new Uint8Array(LOG_HEADER_BYTES + frames.length);
  bytes.set(encodeLogHeader());
  bytes.set(frames, LOG_HEADER_BYTES);
  files.close(files.open(path, "wx"));
  files.fsyncDir(LOG_DIR);
  files.damage(path, 0, bytes);
  return path;
}

async function corruption(p: Promise<unknown>): Promise<StorageCorruptionError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StorageCorruptionError);
  return e as StorageCorruptionError;
}

function rebooted(files: MemFiles): MemFiles {
  files.crash();
  files.reboot();
  return files;
}

const snapshotAt = (files: MemFiles, zxid: number) =>
  writeSnapshot(DATA_DIR, { zxid, digest: 7n, acls: [], nodes: [], sessions: [], nodeCount: 0 }, files);

describe("recovery names each kind of damage", () => {
  it("a first record that does not match the file name; truncateAtDamage removes the whole segment", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 3));
    const wrong = writeSegment(files, segmentName(z(4)), [z(5), z(6)], [record(z(5)), record(z(6))]);
    const e = await corruption(run(files));
    expect([e.file, e.offset, e.reason]).toEqual([
      wrong,
      LOG_HEADER_BYTES,
      `first record ${zxidHex(z(5))} does not match the file name`,
    ]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual(zxidRange(1, 3));
    expect(cut.lastZxid).toBe(z(3));
    expect(cut.removedSegments).toEqual([wrong]);
    expect(cut.truncatedTail).toEqual({ file: wrong, offset: LOG_HEADER_BYTES, reason: e.reason });
    expect(rebooted(files).readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("a record that does not decode; truncateAtDamage cuts there and keeps the records before it", async () => {
    const files = new MemFiles();
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]);
    const path = writeSegment(
      files,
      segmentName(z(1)),
      [z(1), z(2), z(3)],
      [record(z(1)), garbage, record(z(3))],
    );
    const at = scanSegment(files.readFile(path), 0).records[1]!.offset;
    const e = await corruption(run(files));
    expect([e.file, e.offset, e.reason]).toEqual([
      path,
      at,
      "record does not decode to a transaction with its zxid",
    ]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual([z(1)]);
    expect(cut.removedSegments).toEqual([]);
    expect(rebooted(files).stat(path)?.size).toBe(at);
    expect(zxids(await run(files))).toEqual([z(1)]);
  });

  it("a record whose transaction carries another zxid is the same damage, even as the first record", async () => {
    const files = new MemFiles();
    const other = Txn.encode(txn(z(9))).finish();
    const path = writeSegment(files, segmentName(z(1)), [z(1), z(2)], [other, record(z(2))]);
    const e = await corruption(run(files));
    expect([e.file, e.offset, e.reason]).toEqual([
      path,
      LOG_HEADER_BYTES,
      "record does not decode to a transaction with its zxid",
    ]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual([]);
    expect(cut.lastZxid).toBe(0);
    expect(cut.removedSegments).toEqual([path]);
    expect(rebooted(files).readdir(LOG_DIR)).toEqual([]);
  });

  it("records already in the snapshot are not decoded (a fuzzy snapshot's log may hold anything below it)", async () => {
    const files = new MemFiles();
    const garbage = new Uint8Array([0xff, 0xff, 0xff]);
    writeSegment(files, segmentName(z(1)), [z(1), z(2), z(3)], [garbage, garbage, record(z(3))]);
    await snapshotAt(files, z(2));
    const r = await run(files);
    expect(zxids(r)).toEqual([z(3)]);
    expect(r.lastZxid).toBe(z(3));
  });

  it("a gap inside a segment right after the snapshot: cut there, the records before it kept", async () => {
    const files = new MemFiles();
    const path = writeSegment(
      files,
      segmentName(z(1)),
      [z(1), z(2), z(5), z(6)],
      [record(z(1)), record(z(2)), record(z(5)), record(z(6))],
    );
    await snapshotAt(files, z(3));
    const at = scanSegment(files.readFile(path), 0).records[2]!.offset;
    const e = await corruption(run(files));
    expect([e.file, e.offset, e.reason]).toEqual([
      path,
      at,
      `records missing between the snapshot at ${zxidHex(z(3))} and ${zxidHex(z(5))}`,
    ]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual([]);
    expect(cut.lastZxid).toBe(z(3));
    expect(rebooted(files).stat(path)?.size).toBe(at);
  });

  it("a gap right after a record the snapshot ends at is named after the snapshot", async () => {
    const files = new MemFiles();
    const zs = [z(1), z(2), z(3), z(5)];
    const path = writeSegment(
      files,
      segmentName(z(1)),
      zs,
      zs.map((x) => record(x)),
    );
    await snapshotAt(files, z(3));
    const e = await corruption(run(files));
    expect([e.file, e.reason]).toEqual([
      path,
      `records missing between the snapshot at ${zxidHex(z(3))} and ${zxidHex(z(5))}`,
    ]);
  });

  it("truncateAtDamage stops at damage in a segment that is not the last, and drops the later ones", async () => {
    const files = new MemFiles();
    const garbage = new Uint8Array([0xff, 0xff, 0xff]);
    const first = writeSegment(
      files,
      segmentName(z(1)),
      [z(1), z(2), z(3)],
      [record(z(1)), garbage, record(z(3))],
    );
    const later = writeSegment(files, segmentName(z(4)), [z(4), z(5)], [record(z(4)), record(z(5))]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual([z(1)]);
    expect(cut.removedSegments).toEqual([later]);
    expect(cut.truncatedTail?.file).toBe(first);
  });

  it("a gap between segments names the last record before it", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 3));
    await writeLog(files, zxidRange(6, 7));
    const e = await corruption(run(files));
    expect([e.file, e.offset, e.reason]).toEqual([
      segmentPath(z(6)),
      LOG_HEADER_BYTES,
      `records missing between ${zxidHex(z(3))} and ${zxidHex(z(6))}`,
    ]);
    const cut = await run(files, true);
    expect(cut.removedSegments).toEqual([segmentPath(z(6))]);
    expect(rebooted(files).readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("a segment with no records before a later one; truncateAtDamage drops both", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 2));
    const empty = writeSegment(files, segmentName(z(3)), [], []);
    const later = writeSegment(files, segmentName(z(4)), [z(4)], [record(z(4))]);
    const e = await corruption(run(files));
    expect([e.file, e.offset, e.reason]).toEqual([
      empty,
      LOG_HEADER_BYTES,
      "segment holds no records but later segments exist",
    ]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual(zxidRange(1, 2));
    expect(cut.removedSegments).toEqual([empty, later]);
    expect(rebooted(files).readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("an empty newest segment is removed durably, without a damage report", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 2));
    const empty = writeSegment(files, segmentName(z(3)), [], []);
    const r = await run(files);
    expect(zxids(r)).toEqual(zxidRange(1, 2));
    expect(r.removedSegments).toEqual([empty]);
    expect(r.truncatedTail).toBeUndefined();
    expect(rebooted(files).readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("a torn tail of the last segment is cut durably and reported exactly", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 3));
    const path = segmentPath(z(1));
    const size = files.stat(path)!.size;
    const at = scanSegment(files.readFile(path), 0).records[2]!.offset;
    const fd = files.open(path, "r+");
    files.ftruncate(fd, size - 1);
    files.fdatasync(fd);
    files.close(fd);
    const r = await run(files);
    expect(zxids(r)).toEqual(zxidRange(1, 2));
    expect(r.truncatedTail).toEqual({
      file: path,
      offset: at,
      reason: `record length ${record(z(3)).length} runs past the end`,
    });
    expect(r.removedSegments).toEqual([]);
    expect(rebooted(files).stat(path)?.size).toBe(at);
    expect((await run(files)).truncatedTail).toBeUndefined();
  });

  it("a torn segment that is not the last is damage, and truncateAtDamage removes the later ones", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 3));
    await writeLog(files, zxidRange(4, 5));
    const path = segmentPath(z(1));
    const at = scanSegment(files.readFile(path), 0).records[2]!.offset;
    const fd = files.open(path, "r+");
    files.ftruncate(fd, files.stat(path)!.size - 1);
    files.fdatasync(fd);
    files.close(fd);
    const e = await corruption(run(files));
    expect([e.file, e.offset, e.reason]).toEqual([
      path,
      at,
      `record length ${record(z(3)).length} runs past the end, but later segments exist`,
    ]);
    const cut = await run(files, true);
    expect(zxids(cut)).toEqual(zxidRange(1, 2));
    expect(cut.removedSegments).toEqual([segmentPath(z(4))]);
    expect(rebooted(files).readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });
});

describe("recovery picks a snapshot", () => {
  it("reports every damaged snapshot, newest first, and refuses when the log does not reach the newest", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 7));
    await snapshotAt(files, z(3));
    const mid = await snapshotAt(files, z(6));
    const newest = await snapshotAt(files, z(8));
    files.damage(mid, 30, [0xab]);
    files.damage(newest, 30, [0xab]);
    const e = await corruption(run(files));
    expect(e.file).toBe(newest);
    expect(e.message).toMatch(/; the log ends at 0x100000007, so the older snapshot cannot replace it$/);
    expect(
      e.reason.endsWith(`; the log ends at ${zxidHex(z(7))}, so the older snapshot cannot replace it`),
    ).toBe(true);
    // With the log reaching the newest damaged one, the good older snapshot is used.
    await writeLog(files, zxidRange(8, 9), { lastZxid: z(7) });
    const r = await run(files);
    expect(r.snapshot?.header.zxid).toBe(BigInt(z(3)));
    expect(r.damagedSnapshots.map((d) => d.file)).toEqual([newest, mid]);
    expect(zxids(r)).toEqual(zxidRange(4, 9));
    expect(r.lastZxid).toBe(z(9));
  });

  it("a log that ends exactly at the newest damaged snapshot is enough", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 6));
    await snapshotAt(files, z(3));
    const newest = await snapshotAt(files, z(6));
    files.damage(newest, 30, [0xab]);
    const r = await run(files);
    expect(r.snapshot?.header.zxid).toBe(BigInt(z(3)));
    expect(r.lastZxid).toBe(z(6));
  });

  it("a damaged only snapshot is refused even when the log reaches past it", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 6));
    const only = await snapshotAt(files, z(3));
    files.damage(only, 30, [0xab]);
    const e = await corruption(run(files));
    expect(e.file).toBe(only);
    expect(e.reason).not.toMatch(/cannot replace/);
  });

  it("reads no segment wholly below the snapshot: damage there is not reported", async () => {
    const files = new MemFiles();
    await writeLog(files, zxidRange(1, 4));
    await writeLog(files, zxidRange(5, 8));
    const old = segmentPath(z(1));
    files.damage(old, scanSegment(files.readFile(old), 0).records[1]!.offset + 20, [0x5a]);
    // z(5) is the snapshot's zxid + 1: replay starts in its segment.
    await snapshotAt(files, z(4));
    const r = await run(files);
    expect(zxids(r)).toEqual(zxidRange(5, 8));
    expect(r.truncatedTail).toBeUndefined();
    // One zxid lower, the damaged segment holds the first record to replay.
    await snapshotAt(files, z(3));
    files.unlink(`${DATA_DIR}/snapshot.${z(4).toString(16)}`);
    await expect(run(files)).rejects.toBeInstanceOf(StorageCorruptionError);
  });

  it("a fresh server: no snapshot, no log, nothing damaged", async () => {
    const r = await run(new MemFiles());
    expect(r).toStrictEqual({ txns: [], lastZxid: 0, damagedSnapshots: [], removedSegments: [] });
  });

  it("a snapshot alone: its zxid is the last", async () => {
    const files = new MemFiles();
    await snapshotAt(files, z(4));
    const r = await run(files);
    expect(Object.keys(r).sort()).toEqual([
      "damagedSnapshots",
      "lastZxid",
      "removedSegments",
      "snapshot",
      "txns",
    ]);
    expect(r.lastZxid).toBe(z(4));
  });

  it("a read error that is not damage is passed on, not skipped", async () => {
    const files = new MemFiles();
    const good = await snapshotAt(files, z(3));
    const newest = await snapshotAt(files, z(6));
    const readFile = files.readFile.bind(files);
    files.readFile = (path: string) => {
      if (path === newest) throw Object.assign(new Error(`EIO: read ${path}`), { code: "EIO" });
      return readFile(path);
    };
    await expect(run(files)).rejects.toThrow(`EIO: read ${newest}`);
    expect(good).not.toBe(newest);
  });
});
