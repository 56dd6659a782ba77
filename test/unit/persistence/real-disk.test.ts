import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readEpoch, writeEpoch } from "../../../server/persistence/epoch-file.js";
import { nodeFiles } from "../../../server/persistence/file-layer.js";
import { segmentName } from "../../../server/persistence/log-format.js";
import { purge } from "../../../server/persistence/purge.js";
import { recover } from "../../../server/persistence/recovery.js";
import { readSnapshot, snapshotName, writeSnapshot } from "../../../server/persistence/snapshot.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { record, z } from "./log-fixtures.js";

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "paddock-persist-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("TxnLog on the real disk, through the worker thread", () => {
  it("writes, fdatasyncs, rolls and recovers", async () => {
    const dir = tmp();
    const log = await TxnLog.open({
      dir: join(dir, "log"),
      forceSync: true,
      preAllocBytes: 64 * 1024,
      segmentBytesMax: 8 * 1024,
      batchCountMax: 16,
      batchBytesMax: 1024 * 1024,
    });
    const appends: Promise<void>[] = [];
    for (let c = 1; c <= 300; c++) appends.push(log.append(z(c), record(z(c), 100)));
    await Promise.all(appends);
    expect(log.stats.records).toBe(300);
    expect(log.stats.fsyncs).toBeGreaterThanOrEqual(300 / 16);
    await log.close();
    const names = readdirSync(join(dir, "log")).sort();
    expect(names.length).toBeGreaterThan(1);
    expect(names).toContain(segmentName(z(1)));
    expect(statSync(join(dir, "log", segmentName(z(1)))).size).toBe(64 * 1024);
    const rec = await recover({ dataDir: join(dir, "snap"), dataLogDir: join(dir, "log") });
    expect(rec.txns.map((t) => Number(t.zxid))).toEqual(Array.from({ length: 300 }, (_, i) => z(i + 1)));
    expect(rec.lastZxid).toBe(z(300));
  });

  it("writes zeros ahead of the records, so appends overwrite allocated blocks instead of holes", async () => {
    const dir = tmp();
    const log = await TxnLog.open({
      dir,
      forceSync: true,
      preAllocBytes: 64 * 1024 * 1024,
      segmentBytesMax: 64 * 1024 * 1024,
      zeroAheadBytes: 1024 * 1024,
      batchCountMax: 16,
      batchBytesMax: 1024 * 1024,
    });
    // The worker zero-fills after answering a batch, in order: once the second batch is durable
    // the first batch's zeros are on disk.
    await log.append(z(1), record(z(1), 100));
    await log.append(z(2), record(z(2), 100));
    const stat = statSync(join(dir, segmentName(z(1))));
    expect(stat.size).toBe(64 * 1024 * 1024);
    // Sparse preallocation alone would hold a block or two; the zeros ahead hold a MiB.
    expect(stat.blocks * 512).toBeGreaterThanOrEqual(1024 * 1024);
    expect(stat.blocks * 512).toBeLessThan(4 * 1024 * 1024);
    await log.close();
    const rec = await recover({ dataDir: join(dir, "snap"), dataLogDir: dir });
    expect(rec.txns.map((t) => Number(t.zxid))).toEqual([z(1), z(2)]);
  });

  it("reports a disk error from the worker and refuses further appends", async () => {
    const dir = tmp();
    const log = await TxnLog.open({
      dir,
      forceSync: true,
      preAllocBytes: 0,
      segmentBytesMax: 1024 * 1024,
      batchCountMax: 16,
      batchBytesMax: 1024 * 1024,
    });
    await log.append(z(1), record(z(1)));
    // A directory squatting on the next segment's name makes the worker's create fail (EEXIST).
    nodeFiles.mkdir(join(dir, segmentName(z(2))));
    await log.close();
    const again = await TxnLog.open({
      dir,
      forceSync: true,
      preAllocBytes: 0,
      segmentBytesMax: 1024 * 1024,
      batchCountMax: 16,
      batchBytesMax: 1024 * 1024,
      lastZxid: z(1),
    });
    await expect(again.append(z(2), record(z(2)))).rejects.toThrow(/EEXIST/);
    expect(again.failed).toBeDefined();
    await expect(again.append(z(3), record(z(3)))).rejects.toThrow(/no further appends/);
    await again.close();
  });
});

describe("snapshots, epochs and purge on the real disk", () => {
  it("write → read a snapshot, epoch files, purge", async () => {
    const dir = tmp();
    const snapDir = join(dir, "snap");
    for (const c of [1, 2, 3, 4]) {
      await writeSnapshot(snapDir, {
        zxid: z(c),
        digest: 99n,
        acls: [{ ref: 0, acl: [] }],
        nodes: [
          {
            path: "/",
            data: Buffer.from("x"),
            aclRef: 0,
            czxid: 0n,
            mzxid: 0n,
            ctime: 0n,
            mtime: 0n,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeralOwner: 0n,
            pzxid: 0n,
          },
        ],
        sessions: [{ sessionId: 5n, timeoutMs: 1000, password: Buffer.alloc(16, 1) }],
        nodeCount: 1,
      });
    }
    const snap = await readSnapshot(join(snapDir, snapshotName(z(4))));
    expect(snap.nodes[0]?.data).toEqual(Buffer.from("x"));
    expect(snap.sessions[0]?.sessionId).toBe(5n);
    expect(readdirSync(snapDir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    await writeEpoch(snapDir, "acceptedEpoch", 3);
    expect(await readEpoch(snapDir, "acceptedEpoch")).toBe(3);
    mkdirSync(join(dir, "log"));
    const { removed } = await purge({ dataDir: snapDir, dataLogDir: join(dir, "log"), snapRetainCount: 3 });
    expect(removed).toEqual([join(snapDir, snapshotName(z(1)))]);
  });
});
