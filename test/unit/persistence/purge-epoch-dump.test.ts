import { describe, expect, it } from "vitest";
import { dumpLog } from "../../../server/persistence/dump.js";
import { readEpoch, writeEpoch } from "../../../server/persistence/epoch-file.js";
import { segmentName } from "../../../server/persistence/log-format.js";
import { purge } from "../../../server/persistence/purge.js";
import { recover } from "../../../server/persistence/recovery.js";
import { listSnapshots, writeSnapshot } from "../../../server/persistence/snapshot.js";
import { inspectSnapshot } from "../../../server/persistence/snapshot-inspect.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { AssertionError } from "../../../server/util/assert.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

const snapshotAt = (files: MemFiles, zxid: number) =>
  writeSnapshot(
    DATA_DIR,
    { zxid, digest: BigInt(zxid), acls: [], nodes: [], sessions: [], nodeCount: 0 },
    files,
  );

describe("purge (autopurge.snapRetainCount)", () => {
  it("keeps the newest N snapshots and the segments needed to replay from the oldest kept", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files, { segmentBytesMax: 1024, batchCountMax: 1 }));
    for (let c = 1; c <= 80; c++) {
      await log.append(z(c), record(z(c), 40));
      if (c % 10 === 0) await snapshotAt(files, z(c));
    }
    await log.close();
    const segmentsBefore = files.readdir(LOG_DIR);
    const { removed } = await purge({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, snapRetainCount: 3, files });
    expect(listSnapshots(DATA_DIR, files).map((s) => s.zxid)).toEqual([z(80), z(70), z(60)]);
    const segmentsAfter = files.readdir(LOG_DIR);
    expect(segmentsAfter.length).toBeLessThan(segmentsBefore.length);
    expect(removed.length).toBe(5 + segmentsBefore.length - segmentsAfter.length);
    // The kept segments start at or before zxid 61 (oldest kept snapshot + 1): recovery from
    // the oldest kept snapshot still works once the newer ones are damaged.
    const first = Math.min(...segmentsAfter.map((n) => Number.parseInt(n.slice(4), 16)));
    expect(first).toBeLessThanOrEqual(z(61));
    for (const s of listSnapshots(DATA_DIR, files).slice(0, 2)) files.damage(s.file, 20, [0xff]);
    files.crash();
    files.reboot();
    const r = await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files });
    expect(r.snapshot?.header.zxid).toBe(BigInt(z(60)));
    expect(r.txns.map((t) => Number(t.zxid))).toEqual(Array.from({ length: 20 }, (_, i) => z(61 + i)));
  });

  it("removes nothing while there are fewer snapshots than the count", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    await snapshotAt(files, z(1));
    await snapshotAt(files, z(2));
    expect(
      (await purge({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, snapRetainCount: 3, files })).removed,
    ).toEqual([]);
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
  });

  it("removes temp files of older abandoned snapshots, and insists on a count of at least 3", async () => {
    const files = new MemFiles();
    files.mkdir(LOG_DIR);
    for (const c of [1, 2, 3]) await snapshotAt(files, z(c));
    files.close(files.open(`${DATA_DIR}/snapshot.${z(2).toString(16)}.tmp`, "w"));
    files.close(files.open(`${DATA_DIR}/snapshot.${z(9).toString(16)}.tmp`, "w"));
    const { removed } = await purge({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, snapRetainCount: 3, files });
    expect(removed).toEqual([`${DATA_DIR}/snapshot.${z(2).toString(16)}.tmp`]);
    await expect(
      purge({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, snapRetainCount: 2, files }),
    ).rejects.toThrow(AssertionError);
  });
});

describe("epoch files", () => {
  it("read undefined when missing, then what was written", async () => {
    const files = new MemFiles();
    expect(await readEpoch(DATA_DIR, "acceptedEpoch", files)).toBeUndefined();
    await writeEpoch(DATA_DIR, "acceptedEpoch", 5, files);
    await writeEpoch(DATA_DIR, "currentEpoch", 4, files);
    files.crash();
    files.reboot();
    expect(await readEpoch(DATA_DIR, "acceptedEpoch", files)).toBe(5);
    expect(await readEpoch(DATA_DIR, "currentEpoch", files)).toBe(4);
    expect(new TextDecoder().decode(files.readFile(`${DATA_DIR}/currentEpoch`))).toBe("4\nformat 1\n");
  });

  it("a crash at any point of a rewrite leaves the old value or the new one, never a mix", async () => {
    for (let crashAt = 1; crashAt <= 8; crashAt++) {
      const files = new MemFiles();
      await writeEpoch(DATA_DIR, "currentEpoch", 12345, files);
      files.crashAtMutation = files.mutations + crashAt;
      await writeEpoch(DATA_DIR, "currentEpoch", 12346, files).catch(() => undefined);
      const finished = !files.down;
      if (!files.down) files.crash();
      files.reboot();
      const value = await readEpoch(DATA_DIR, "currentEpoch", files);
      if (finished) expect(value).toBe(12346);
      else expect([12345, 12346]).toContain(value);
    }
  });

  it("an unreadable epoch file is damage", async () => {
    const files = new MemFiles();
    await writeEpoch(DATA_DIR, "acceptedEpoch", 1, files);
    files.damage(`${DATA_DIR}/acceptedEpoch`, 0, [0x78]);
    await expect(readEpoch(DATA_DIR, "acceptedEpoch", files)).rejects.toThrow(StorageCorruptionError);
  });
});

describe("tools", () => {
  it("dumpLog prints one line per record and how the data ends", async () => {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    await log.append(z(2), record(z(2)));
    const lines: string[] = [];
    for await (const line of dumpLog(`${LOG_DIR}/${segmentName(z(1))}`, files)) lines.push(line);
    expect(lines).toEqual([
      `# ${LOG_DIR}/${segmentName(z(1))}`,
      "zxid=0x100000001 session=0x123456789abcdef0 cxid=0x129 time=2024-01-03T15:16:07.297Z type=setData path=/n4294967297 version=1 data=0x0101010101010101",
      "zxid=0x100000002 session=0x123456789abcdef0 cxid=0x12a time=2024-01-03T15:16:07.298Z type=setData path=/n4294967298 version=1 data=0x0202020202020202",
      expect.stringMatching(/^# 2 records; data ends at offset \d+ \(clean\)$/),
    ]);
  });

  it("inspectSnapshot shows zxid, counts, digest and sessions", async () => {
    const files = new MemFiles();
    const file = await writeSnapshot(
      DATA_DIR,
      {
        zxid: z(7),
        digest: 0xabcn,
        acls: [],
        nodes: [
          {
            path: "/",
            data: Buffer.alloc(0),
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
        sessions: [{ sessionId: -1n, timeoutMs: 30000, password: Buffer.alloc(16) }],
        nodeCount: 1,
      },
      files,
    );
    expect(await inspectSnapshot(file, files)).toBe(
      [
        `snapshot ${file}`,
        "format version 1",
        "zxid 0x100000007",
        "nodes 1 (header: 1)",
        "acls 0",
        "digest 0xabc",
        "sessions 1",
        "  session 0xffffffffffffffff timeout 30000 ms",
      ].join("\n"),
    );
  });
});
