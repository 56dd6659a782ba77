import { describe, expect, it } from "vitest";
import { recover } from "../../../server/persistence/recovery.js";
import { encodeSnapshot, installSnapshotBytes, readSnapshot } from "../../../server/persistence/snapshot.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

const recovered = async (files: MemFiles) => {
  const r = await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files });
  return { zxids: r.txns.map((t) => Number(t.zxid)), lastZxid: r.lastZxid, snapshot: r.snapshot };
};

async function logWith(files: MemFiles, counters: number[], segmentBytesMax = 64 * 1024): Promise<TxnLog> {
  const log = await TxnLog.open(memOptions(files, { segmentBytesMax }));
  for (const c of counters) await log.append(z(c), record(z(c), 200));
  return log;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A tiny valid snapshot at zxid: the root only. */
function snapshotAt(zxid: number): Uint8Array {
  return encodeSnapshot({
    zxid,
    digest: 7n,
    nodeCount: 1,
    acls: [],
    nodes: [
      {
        path: "/",
        data: Buffer.alloc(0),
        aclRef: 0,
        ephemeralOwner: 0n,
        czxid: 0n,
        mzxid: 0n,
        pzxid: 0n,
        ctime: 0n,
        mtime: 0n,
        version: 0,
        cversion: 0,
        aversion: 0,
      },
    ],
    sessions: [{ sessionId: 5n, timeoutMs: 4000, password: Buffer.alloc(16, 1) }],
  });
}

describe("TxnLog.truncate (ZAB's TRUNC)", () => {
  it("cuts inside a segment, and later appends continue above the cut", async () => {
    const files = new MemFiles();
    const log = await logWith(files, range(1, 10));
    await log.truncate(z(6));
    expect(log.lastZxid).toBe(z(6));
    await log.append(z(7, 2), record(z(7, 2)));
    await log.close();
    expect((await recovered(files)).zxids).toEqual([...range(1, 6).map((c) => z(c)), z(7, 2)]);
  });

  it("removes whole segments above the cut (small segments roll often)", async () => {
    const files = new MemFiles();
    const log = await logWith(files, range(1, 40), 1024);
    const segmentsBefore = files.readdir(LOG_DIR).filter((n) => n.startsWith("log.")).length;
    expect(segmentsBefore).toBeGreaterThan(4);
    await log.truncate(z(9));
    await log.close();
    expect((await recovered(files)).zxids).toEqual(range(1, 9).map((c) => z(c)));
    expect(files.readdir(LOG_DIR).filter((n) => n.startsWith("log.")).length).toBeLessThan(segmentsBefore);
  });

  it("empties the log when cut below its first record, and is a no-op above its last", async () => {
    const files = new MemFiles();
    const log = await logWith(files, range(3, 8));
    await log.truncate(z(20));
    expect((await recovered(files)).zxids).toEqual(range(3, 8).map((c) => z(c)));
    await log.truncate(0);
    await log.append(z(1, 3), record(z(1, 3)));
    await log.close();
    expect((await recovered(files)).zxids).toEqual([z(1, 3)]);
  });

  it("flushes appends made before the call and holds those made after it until the cut is durable", async () => {
    const files = new MemFiles();
    const log = await logWith(files, range(1, 3));
    const before = log.append(z(4), record(z(4)));
    const cut = log.truncate(z(4));
    const after = log.append(z(5, 2), record(z(5, 2)));
    await Promise.all([before, cut, after]);
    await log.close();
    expect((await recovered(files)).zxids).toEqual([...range(1, 4).map((c) => z(c)), z(5, 2)]);
  });

  it("survives a crash right after the cut: recovery sees the truncated log", async () => {
    const files = new MemFiles();
    const log = await logWith(files, range(1, 10));
    await log.truncate(z(5));
    files.crash();
    files.reboot();
    expect((await recovered(files)).zxids).toEqual(range(1, 5).map((c) => z(c)));
  });
});

describe("SNAP: a learner installs the leader's state", () => {
  it("round-trips the state and writes it durably", async () => {
    const files = new MemFiles();
    const bytes = snapshotAt(z(50));
    const { file, snapshot } = await installSnapshotBytes(DATA_DIR, z(50), bytes, files);
    expect(snapshot.sessions).toHaveLength(1);
    files.crash();
    files.reboot();
    const read = await readSnapshot(file, files);
    expect(read.header.digest).toBe(7n);
    expect(read.nodes.map((n) => n.path)).toEqual(["/"]);
  });

  it("refuses damaged bytes or the state of another zxid, writing nothing", async () => {
    const files = new MemFiles();
    const bytes = snapshotAt(z(50));
    const damaged = bytes.slice();
    damaged[40] = damaged[40]! ^ 0xff;
    await expect(installSnapshotBytes(DATA_DIR, z(50), damaged, files)).rejects.toBeInstanceOf(
      StorageCorruptionError,
    );
    await expect(installSnapshotBytes(DATA_DIR, z(51), bytes, files)).rejects.toBeInstanceOf(
      StorageCorruptionError,
    );
    expect(files.readdir(DATA_DIR)).toEqual([]);
  });

  it.each([
    ["the log ended below the snapshot", range(1, 20), z(40), [z(41), z(42)]],
    ["the log went past the snapshot (truncated)", range(1, 60), z(40), [z(41), z(42)]],
    ["a new epoch follows", range(1, 20), z(40), [z(1, 2), z(2, 2)]],
  ])("recovers snapshot plus the records after it when %s", async (_what, logged, snap, next) => {
    const files = new MemFiles();
    const log = await logWith(files, logged);
    await installSnapshotBytes(DATA_DIR, snap, snapshotAt(snap), files);
    await log.truncate(snap);
    for (const zxid of next) await log.append(zxid, record(zxid));
    await log.close();
    const r = await recovered(files);
    expect(Number(r.snapshot?.header.zxid)).toBe(snap);
    expect(r.zxids).toEqual(next);
    expect(r.lastZxid).toBe(next[next.length - 1]);
  });
});
