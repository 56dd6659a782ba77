import { join } from "node:path";
import {
  BroadcastChannel,
  isMainThread,
  parentPort,
  type TransferListItem,
  workerData,
} from "node:worker_threads";
import type { WorkerInit, WorkerReply } from "../../../server/persistence/log-worker.js";
import { MemFiles } from "./mem-files.js";

/**
 * The log worker's recording, power-losing disk (loaded INSIDE the worker thread through
 * WorkerInit.filesModule / TxnLogOptions.workerFilesModule). It is a MemFiles (durability rules
 * of a POSIX file system: contents durable only through fdatasync, names only through fsyncDir)
 * whose journal also gets one line per answer the worker posts to the main thread, at the moment
 * it posts it. At each answer it keeps what a power loss at that instant would leave on disk.
 * When the worker answers "closed" it sends everything to the test over a BroadcastChannel.
 *
 * Recording the answer takes wrapping the worker's parentPort.postMessage: the worker answers
 * only through it, and the test checks that the number of recorded answers equals the number of
 * batches the log flushed, so a worker that answered some other way fails instead of passing.
 */
export interface PowerLossReport {
  /** "write <path>", "fdatasync <path>", "fsyncDir <dir>", "answer done <id>", ... in order. */
  journal: string[];
  /** Per answer, in order: segment name → the bytes a power loss at that moment keeps. */
  atAnswers: { answer: string; files: Record<string, Uint8Array> }[];
}

export const reportChannelName = (dir: string): string => `paddock-recording-worker-files:${dir}`;

const mem = new MemFiles();
export const files = mem;

// Only inside the log worker that was told to load this module (never in a test runner's thread).
const init = isMainThread ? undefined : (workerData as Partial<WorkerInit> | undefined);
if (parentPort !== null && init?.filesModule === import.meta.url && init.dir !== undefined) {
  const dir = init.dir;
  mem.mkdir(dir);
  const port = parentPort;
  const post = port.postMessage.bind(port);
  const atAnswers: PowerLossReport["atAnswers"] = [];
  const afterPowerLoss = (): Record<string, Uint8Array> => {
    const image: Record<string, Uint8Array> = {};
    for (const name of mem.readdir(dir)) {
      const bytes = mem.durableBytes(join(dir, name));
      if (bytes !== undefined) image[name] = bytes;
    }
    return image;
  };
  port.postMessage = (message: WorkerReply, transfer?: readonly TransferListItem[]): void => {
    if (message.type === "done" || message.type === "error") {
      const answer = `answer ${message.type} ${message.id}`;
      mem.journal.push(answer);
      atAnswers.push({ answer, files: afterPowerLoss() });
    }
    if (message.type === "closed") {
      const channel = new BroadcastChannel(reportChannelName(dir));
      const report: PowerLossReport = { journal: mem.journal, atAnswers };
      channel.postMessage(report);
      channel.close();
    }
    post(message, transfer);
  };
}
