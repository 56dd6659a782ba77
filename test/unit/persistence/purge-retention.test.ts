import { describe, expect, it } from "vitest";
import { segmentName } from "../../../server/persistence/log-format.js";
import { purge } from "../../../server/persistence/purge.js";
import { snapshotName, writeSnapshot } from "../../../server/persistence/snapshot.js";
import { AssertionError } from "../../../server/util/assert.js";
import { DATA_DIR, LOG_DIR, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

// Exactly which files purge removes, in which order, and the directory fsyncs that make it durable.
// Segments here are empty files: purge reads only their names.

const snap = (c: number): string => `${DATA_DIR}/${snapshotName(z(c))}`;
const seg = (c: number): string => `${LOG_DIR}/${segmentName(z(c))}`;
const temp = (c: number): string => `${snap(c)}.tmp`;

async function dirs(snapshots: number[], segments: number[], temps: number[] = []): Promise<MemFiles> {
  const files = new MemFiles();
  files.mkdir(LOG_DIR);
  for (const c of snapshots)
    await writeSnapshot(
      DATA_DIR,
      { zxid: z(c), digest: 0n, acls: [], nodes: [], sessions: [], nodeCount: 0 },
      files,
    );
  for (const c of segments) files.close(files.open(seg(c), "w"));
  for (const c of temps) files.close(files.open(temp(c), "w"));
  files.journal.length = 0;
  return files;
}

const run = (files: MemFiles, snapRetainCount = 3, dataLogDir = LOG_DIR) =>
  purge({ dataDir: DATA_DIR, dataLogDir, snapRetainCount, files });

describe("purge removes exactly", () => {
  it("older snapshots and the segments before the one holding the oldest kept zxid + 1; logs first", async () => {
    const files = await dirs([10, 20, 30, 40], [1, 15, 21, 22, 35]);
    // Oldest kept: 20. Segment 21 starts exactly at its zxid + 1, so 15 is no longer needed.
    expect((await run(files)).removed).toEqual([seg(1), seg(15), snap(10)]);
    expect(files.journal).toEqual([
      `unlink ${seg(1)}`,
      `unlink ${seg(15)}`,
      `fsyncDir ${LOG_DIR}`,
      `unlink ${snap(10)}`,
      `fsyncDir ${DATA_DIR}`,
    ]);
    expect(files.readdir(LOG_DIR)).toEqual([21, 22, 35].map((c) => segmentName(z(c))));
  });

  it("keeps the segment that starts before the oldest kept zxid + 1 and holds it", async () => {
    const files = await dirs([10, 20, 30, 40], [1, 15, 25]);
    expect((await run(files)).removed).toEqual([seg(1), snap(10)]);
  });

  it("with exactly snapRetainCount snapshots: no snapshot goes, older segments and temps do", async () => {
    const files = await dirs([10, 20, 30], [1, 5, 11], [15]);
    expect((await run(files)).removed).toEqual([seg(1), seg(5), temp(15)]);
  });

  it("a temp file at or above the newest kept zxid stays (a snapshot may be in progress)", async () => {
    const files = await dirs([10, 20, 30, 40], [], [5, 39, 40, 41]);
    expect((await run(files)).removed).toEqual([snap(10), temp(5), temp(39)]);
    // Nothing left to remove in the log directory: no fsync there.
    expect(files.journal).toEqual([
      `unlink ${snap(10)}`,
      `unlink ${temp(5)}`,
      `unlink ${temp(39)}`,
      `fsyncDir ${DATA_DIR}`,
    ]);
  });

  it("only log segments to remove: the data directory is not fsynced", async () => {
    const files = await dirs([10, 20, 30], [1, 11]);
    expect((await run(files)).removed).toEqual([seg(1)]);
    expect(files.journal).toEqual([`unlink ${seg(1)}`, `fsyncDir ${LOG_DIR}`]);
  });

  it("fewer snapshots than the count: nothing, not even old temp files", async () => {
    const files = await dirs([10, 20], [1, 15], [5]);
    expect((await run(files)).removed).toEqual([]);
    expect(files.journal).toEqual([]);
  });

  it("one directory for snapshots and log: each kind removed once", async () => {
    const files = new MemFiles();
    for (const c of [10, 20, 30, 40])
      await writeSnapshot(
        DATA_DIR,
        { zxid: z(c), digest: 0n, acls: [], nodes: [], sessions: [], nodeCount: 0 },
        files,
      );
    for (const c of [1, 21]) files.close(files.open(`${DATA_DIR}/${segmentName(z(c))}`, "w"));
    const { removed } = await run(files, 3, DATA_DIR);
    expect(removed).toEqual([`${DATA_DIR}/${segmentName(z(1))}`, snap(10)]);
  });
});

describe("purge refuses", () => {
  it("a retain count below 3 or not an integer, naming it", async () => {
    const files = await dirs([10, 20, 30, 40], [1]);
    for (const count of [2, 3.5, Number.NaN]) {
      const e = await run(files, count).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(AssertionError);
      expect((e as Error).message).toBe(`snapRetainCount must be >= 3, got ${count}`);
    }
    expect(files.journal).toEqual([]);
  });

  it("a missing directory or a file where a directory should be, either one", async () => {
    const files = await dirs([10, 20, 30, 40], [1]);
    await expect(run(files, 3, "/nowhere")).rejects.toThrow(/^\/nowhere: no such directory$/);
    await expect(
      purge({ dataDir: "/nowhere", dataLogDir: LOG_DIR, snapRetainCount: 3, files }),
    ).rejects.toThrow(/^\/nowhere: no such directory$/);
    await expect(run(files, 3, seg(1))).rejects.toThrow(`${seg(1)}: not a directory`);
    expect(files.journal).toEqual([]);
  });
});
