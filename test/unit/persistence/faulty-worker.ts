import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BroadcastChannel } from "node:worker_threads";
import { WorkerSink } from "../../../server/persistence/log-sink.js";
import { type FaultyDiskReport, faultyChannelName } from "./faulty-worker-files.js";

/**
 * The real log worker thread over faulty-worker-files.ts (loaded inside the worker; the
 * directory's name picks the fault), for the WorkerSink test files: a fresh directory per worker,
 * removed by `removeFaultyDirs` (each file's afterAll).
 */
export const FAULTY = new URL("./faulty-worker-files.ts", import.meta.url).href;

const dirs: string[] = [];

/** A fresh directory whose name picks the fault (`paddock-faulty-<mode>-…`). */
export function faultyDir(mode: string): string {
  const dir = mkdtempSync(join(tmpdir(), `paddock-faulty-${mode}-`));
  dirs.push(dir);
  return dir;
}

export function removeFaultyDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A worker on a fresh faulty disk; `report` resolves with its journal and files once it closes. */
export async function startFaultyWorker(
  mode: string,
  space: { preAllocBytes: number; zeroAheadBytes: number } = { preAllocBytes: 0, zeroAheadBytes: 0 },
): Promise<{ sink: WorkerSink; dir: string; report: Promise<FaultyDiskReport> }> {
  const dir = faultyDir(mode);
  const report = faultyReport(dir);
  const sink = await WorkerSink.start({
    dir,
    forceSync: true,
    segmentBytesMax: 1024 * 1024,
    ...space,
    filesModule: FAULTY,
  });
  return { sink, dir, report };
}

/** The faulty disk's report for `dir`, sent when its worker closes. */
export function faultyReport(dir: string): Promise<FaultyDiskReport> {
  const channel = new BroadcastChannel(faultyChannelName(dir));
  return new Promise<FaultyDiskReport>((resolve) => {
    channel.onmessage = (event) => {
      channel.close();
      resolve((event as { data: FaultyDiskReport }).data);
    };
  });
}
