import { describe, expect, it } from "vitest";
import type { SnapshotNode } from "../../../server/gen/paddock/internal/v1/snapshot.js";
import {
  listSnapshots,
  readSnapshot,
  type SnapshotInput,
  snapshotName,
  writeSnapshot,
} from "../../../server/persistence/snapshot.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { DATA_DIR, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

function node(i: number): SnapshotNode {
  return {
    path: i === 0 ? "/" : `/n${i}`,
    data: Buffer.from(`data-${i}`),
    aclRef: i % 2,
    czxid: BigInt(z(i + 1)),
    mzxid: BigInt(z(i + 2)),
    ctime: 1_700_000_000_000n + BigInt(i),
    mtime: 1_700_000_000_500n + BigInt(i),
    version: i % 5,
    cversion: i % 7,
    aversion: i % 3,
    ephemeralOwner: i % 4 === 0 ? -0x7edc_ba98_7654_3210n : 0n,
    pzxid: BigInt(z(i + 3)),
  };
}

function input(nodeCount: number, zxid = z(42)): SnapshotInput & { nodeList: SnapshotNode[] } {
  const nodeList = Array.from({ length: nodeCount }, (_, i) => node(i));
  return {
    zxid,
    digest: 0xfedc_ba98_7654_3210n,
    acls: [
      { ref: 0, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }] },
      { ref: 1, acl: [{ perms: 1, id: { scheme: "digest", id: "u:hash" } }] },
    ],
    nodes: nodeList,
    nodeList,
    sessions: [
      { sessionId: 0x1234n, timeoutMs: 30_000, password: Buffer.alloc(16, 7) },
      { sessionId: -2n, timeoutMs: 4_000, password: Buffer.alloc(16, 9) },
    ],
    nodeCount,
  };
}

describe("snapshot files", () => {
  it("round-trips header, ACLs, nodes and sessions; named snapshot.<hex zxid>", async () => {
    const files = new MemFiles();
    const i = input(25);
    const file = await writeSnapshot(DATA_DIR, i, files);
    expect(file).toBe(`${DATA_DIR}/${snapshotName(z(42))}`);
    expect(file.endsWith("snapshot.10000002a")).toBe(true);
    const s = await readSnapshot(file, files);
    expect(s.header).toEqual({
      formatVersion: 1,
      zxid: BigInt(z(42)),
      nodeCount: 25n,
      digest: i.digest,
      sessionCount: 2n,
    });
    expect(s.acls).toEqual(i.acls);
    // Read back in the tree's restore shape: zxids and times as numbers, the owner a bigint.
    expect(s.nodes).toEqual(
      i.nodeList.map((n) => ({
        ...n,
        czxid: Number(n.czxid),
        mzxid: Number(n.mzxid),
        ctime: Number(n.ctime),
        mtime: Number(n.mtime),
        pzxid: Number(n.pzxid),
      })),
    );
    expect(s.sessions).toEqual(i.sessions);
    expect(listSnapshots(DATA_DIR, files)).toEqual([{ file, zxid: z(42) }]);
  });

  it("yields to the event loop while writing a large tree (fuzzy snapshot)", async () => {
    const files = new MemFiles();
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await writeSnapshot(DATA_DIR, input(20_000), files);
    running = false;
    // 20,000 nodes at 4,096 records per chunk: at least 4 yields.
    expect(turns).toBeGreaterThanOrEqual(4);
  });

  it("every damaged byte is an error naming the file and an offset", async () => {
    const files = new MemFiles();
    const file = await writeSnapshot(DATA_DIR, input(3), files);
    const good = files.readFile(file);
    for (let at = 0; at < good.length; at++) {
      files.damage(file, at, [good[at]! ^ 0x41]);
      const e = await readSnapshot(file, files).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, `byte ${at}`).toBeInstanceOf(StorageCorruptionError);
      expect((e as StorageCorruptionError).file).toBe(file);
      expect((e as StorageCorruptionError).offset).toBeLessThanOrEqual(at);
      files.damage(file, at, [good[at]!]);
    }
    await expect(readSnapshot(file, files)).resolves.toBeDefined();
  });

  it("a truncated snapshot (no END record) is an error", async () => {
    const files = new MemFiles();
    const file = await writeSnapshot(DATA_DIR, input(3), files);
    const good = files.readFile(file);
    for (const keep of [0, 10, 16, good.length - 40, good.length - 1]) {
      const fd = files.open(file, "r+");
      files.ftruncate(fd, keep);
      files.close(fd);
      await expect(readSnapshot(file, files)).rejects.toThrow(StorageCorruptionError);
      files.damage(file, 0, good);
    }
  });

  it("a crash at any point while writing leaves either no snapshot or a complete one", async () => {
    let completeSeen = false;
    for (let crashAt = 1; crashAt <= 12; crashAt++) {
      const files = new MemFiles();
      files.mkdir(DATA_DIR);
      files.crashAtMutation = files.mutations + crashAt;
      const written = await writeSnapshot(DATA_DIR, input(5000), files).then(
        () => true,
        () => false,
      );
      if (!files.down) files.crash();
      files.reboot();
      const found = listSnapshots(DATA_DIR, files);
      for (const s of found) await readSnapshot(s.file, files);
      if (written) expect(found.length).toBe(1);
      completeSeen ||= found.length === 1;
    }
    expect(completeSeen).toBe(true);
  });
});
