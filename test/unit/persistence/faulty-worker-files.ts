import { basename } from "node:path";
import { BroadcastChannel, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { WorkerInit } from "../../../server/persistence/log-worker.js";
import { MemFiles } from "./mem-files.js";

/**
 * A faulty in-memory disk for the REAL log worker thread (loaded inside it through
 * WorkerInit.filesModule, like recording-worker-files.ts). The log directory's name picks the
 * fault, so each test gets its own worker and fault:
 *
 * - `eio-fdatasync-N`: the N-th fdatasync (1-based) fails with EIO, and every later one too;
 * - `enospc-write-N`: the N-th write fails with ENOSPC;
 * - `exit-on-write`: the first write ends the thread (process.exit(3) in a worker);
 * - `throw-after-write`: the first write succeeds, then an uncaught exception ends the thread.
 *
 * When the worker answers "closed" it sends its journal (every operation, in order) and the
 * bytes of each file to the test over a BroadcastChannel named after the directory.
 */
export interface FaultyDiskReport {
  journal: string[];
  files: Record<string, Uint8Array>;
}

export const faultyChannelName = (dir: string): string => `paddock-faulty-worker-files:${dir}`;

const mem = new MemFiles();
export const files = mem;

const init = isMainThread ? undefined : (workerData as Partial<WorkerInit> | undefined);
if (parentPort !== null && init?.filesModule === import.meta.url && init.dir !== undefined) {
  const dir = init.dir;
  mem.mkdir(dir);
  const mode = basename(dir).replace(/^paddock-faulty-/, "");
  const nth = Number(/-(\d+)-/.exec(`${mode}-`)?.[1] ?? 0);
  if (mode.startsWith("eio-fdatasync-")) {
    mem.faults.push({ op: "fdatasync", skip: nth - 1, effect: { kind: "error", code: "EIO" }, sticky: true });
  }
  if (mode.startsWith("enospc-write-")) {
    mem.faults.push({ op: "write", skip: nth - 1, effect: { kind: "error", code: "ENOSPC" } });
  }
  const write = mem.write.bind(mem);
  mem.write = (fd, buffer, offset, length, position) => {
    if (mode.startsWith("exit-on-write")) process.exit(3);
    const n = write(fd, buffer, offset, length, position);
    if (mode.startsWith("throw-after-write")) {
      queueMicrotask(() => {
        throw new Error("seam: thrown outside any handler");
      });
    }
    return n;
  };
  const port = parentPort;
  const post = port.postMessage.bind(port);
  port.postMessage = (message: { type: string }, transfer?: never): void => {
    if (message.type === "closed") {
      const report: FaultyDiskReport = { journal: mem.journal, files: {} };
      for (const name of mem.readdir(dir)) report.files[name] = mem.readFile(`${dir}/${name}`);
      const channel = new BroadcastChannel(faultyChannelName(dir));
      channel.postMessage(report);
      channel.close();
    }
    post(message, transfer);
  };
}
