import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BroadcastChannel } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recover } from "../../../server/persistence/recovery.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { Prng } from "../../../server/util/prng.js";
import { record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";
import { type PowerLossReport, reportChannelName } from "./recording-worker-files.js";

/**
 * Power loss through the REAL log path: TxnLog → WorkerSink → the worker thread → SegmentWriter,
 * with the worker writing to a recording in-memory disk (recording-worker-files.ts) instead of
 * the real one. The disk notes, in order, every write, fdatasync, directory fsync and every answer
 * the worker posts, and what a power loss at each answer would keep. Nothing here depends on
 * timing: the order is recorded inside the worker, on its one thread.
 */
const RECORDING_MODULE = new URL("./recording-worker-files.ts", import.meta.url).href;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Opens the log with its worker on the recording disk; `report()` resolves after close. */
async function openRecordedLog(): Promise<{ log: TxnLog; dir: string; report: Promise<PowerLossReport> }> {
  // The main thread creates the directory and reads it on the real disk (empty); the worker's
  // writes all go to the recording disk, under the same path.
  const dir = mkdtempSync(join(tmpdir(), "paddock-power-loss-"));
  dirs.push(dir);
  const channel = new BroadcastChannel(reportChannelName(dir));
  const report = new Promise<PowerLossReport>((resolve) => {
    channel.onmessage = (event) => {
      channel.close();
      resolve((event as { data: PowerLossReport }).data);
    };
  });
  const log = await TxnLog.open({
    dir,
    forceSync: true,
    preAllocBytes: 1024,
    segmentBytesMax: 2048,
    zeroAheadBytes: 256,
    batchCountMax: 8,
    batchBytesMax: 64 * 1024,
    lastZxid: 0,
    workerFilesModule: RECORDING_MODULE,
  });
  return { log, dir, report };
}

/** The zxids recovery finds on a disk holding exactly `image` (what survived the power loss). */
async function recoverImage(dir: string, image: Record<string, Uint8Array>): Promise<number[] | string> {
  const disk = new MemFiles();
  disk.mkdir(dir);
  for (const [name, bytes] of Object.entries(image)) {
    const fd = disk.open(join(dir, name), "w");
    disk.write(fd, bytes, 0, bytes.length, 0);
    disk.fdatasync(fd);
    disk.close(fd);
  }
  disk.fsyncDir(dir);
  try {
    const rec = await recover({ dataDir: join(dirname(dir), "no-snapshots"), dataLogDir: dir, files: disk });
    return rec.txns.map((t) => Number(t.zxid));
  } catch (e) {
    return `recovery failed: ${(e as Error).message}`;
  }
}

/**
 * Replays the journal and lists every answer given while something was not durable yet: a
 * written or resized file not fdatasynced since, or a created segment whose directory was not
 * fsynced since.
 */
function answersBeforeSync(journal: readonly string[]): string[] {
  const dirtyFiles = new Set<string>();
  const dirtyDirs = new Set<string>();
  const violations: string[] = [];
  for (const line of journal) {
    const space = line.indexOf(" ");
    const op = line.slice(0, space);
    const path = line.slice(space + 1);
    if (op === "write" || op === "ftruncate") dirtyFiles.add(path);
    else if (op === "open") dirtyDirs.add(dirname(path));
    else if (op === "fdatasync" || op === "fsync") dirtyFiles.delete(path);
    else if (op === "fsyncDir") dirtyDirs.delete(path);
    else if (line.startsWith("answer done") && (dirtyFiles.size > 0 || dirtyDirs.size > 0))
      violations.push(`${line} with unsynced ${[...dirtyFiles, ...dirtyDirs].join(", ")}`);
  }
  return violations;
}

const SEQUENTIAL = 24;
const ALL = 64;

/** One recorded run: records 1..SEQUENTIAL one at a time, then a burst up to ALL. */
async function recordedRun(): Promise<{ dir: string; batches: number; report: PowerLossReport }> {
  const { log, dir, report } = await openRecordedLog();
  const prng = new Prng(19);
  // One at a time: the i-th answer is the i-th record's, so a power loss right at that answer
  // must keep records 1..i.
  for (let c = 1; c <= SEQUENTIAL; c++) await log.append(z(c), record(z(c), 1 + prng.below(300)));
  // Then a burst that group commit packs into fewer, larger batches.
  const burst: Promise<void>[] = [];
  for (let c = SEQUENTIAL + 1; c <= ALL; c++) burst.push(log.append(z(c), record(z(c), 1 + prng.below(300))));
  await Promise.all(burst);
  const batches = log.stats.fsyncs;
  await log.close();
  return { dir, batches, report: await report };
}

describe("power loss through the real log worker thread", () => {
  let run: Awaited<ReturnType<typeof recordedRun>>;
  beforeAll(async () => {
    run = await recordedRun();
  });

  it("records every answer the log got, across segment rolls", () => {
    const { journal, atAnswers } = run.report;
    expect(atAnswers.length).toBe(run.batches);
    expect(run.batches).toBeLessThan(ALL);
    expect(atAnswers.every((a) => a.answer.startsWith("answer done"))).toBe(true);
    expect(journal.filter((l) => l.startsWith("open")).length).toBeGreaterThan(2);
  });

  it("syncs every written byte (and each new segment's name) before answering", () => {
    expect(answersBeforeSync(run.report.journal)).toEqual([]);
  });

  it("keeps, after a power loss at any answer, every record answered by then", async () => {
    const { atAnswers } = run.report;
    for (let i = 1; i <= SEQUENTIAL; i++) {
      const got = await recoverImage(run.dir, atAnswers[i - 1]!.files);
      const want = Array.from({ length: i }, (_, k) => z(k + 1));
      expect({ answer: i, recovered: got }).toEqual({ answer: i, recovered: want });
    }
    // At the last answer every record had been acknowledged.
    const atLast = await recoverImage(run.dir, atAnswers[atAnswers.length - 1]!.files);
    expect(atLast).toEqual(Array.from({ length: ALL }, (_, k) => z(k + 1)));
  });
});
