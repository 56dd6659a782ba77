import { parentPort, workerData } from "node:worker_threads";
import { type FileLayer, nodeFiles } from "./file-layer.js";
import { SegmentWriter } from "./segment-writer.js";

/**
 * The log's worker thread: receives packed batches (transferred ArrayBuffers), writes and
 * fdatasyncs them synchronously, and answers with the time taken. Blocking here is the point: the
 * main thread keeps serving while the disk works. After the first error it answers every further
 * batch with that error: a failed fdatasync leaves the page cache state unknown (never retry).
 */
export interface WorkerInit {
  dir: string;
  forceSync: boolean;
  preAllocBytes: number;
  segmentBytesMax: number;
  zeroAheadBytes: number;
  /**
   * Test seam, unset in production: the URL of a module whose `files` export the worker writes
   * through instead of the real disk (test/unit/persistence/recording-worker-files.ts records the
   * order of writes, fdatasyncs and answers, and what a power loss at each answer would keep).
   */
  filesModule?: string;
}

export type WorkerRequest = { type: "batch"; id: number; frames: ArrayBuffer } | { type: "close" };

export type WorkerReply =
  | { type: "ready" }
  | { type: "done"; id: number; ms: number }
  | { type: "error"; id: number; message: string; code?: string }
  | { type: "closed"; error?: string };

const port = parentPort!;
const init = workerData as WorkerInit;
const files: FileLayer =
  init.filesModule === undefined
    ? nodeFiles
    : ((await import(init.filesModule)) as { files: FileLayer }).files;
const writer = new SegmentWriter({ ...init, files });
let failure: { message: string; code?: string } | undefined;

const reply = (message: WorkerReply): void => port.postMessage(message);

port.on("message", (request: WorkerRequest) => {
  if (request.type === "close") {
    let error: string | undefined;
    try {
      if (failure === undefined) writer.close();
    } catch (e) {
      error = (e as Error).message;
    }
    reply({ type: "closed", ...(error === undefined ? {} : { error }) });
    return;
  }
  if (failure !== undefined) {
    reply({ type: "error", id: request.id, ...failure });
    return;
  }
  const started = performance.now();
  try {
    writer.write(new Uint8Array(request.frames));
    writer.sync();
  } catch (e) {
    failure = failureOf(e);
    reply({ type: "error", id: request.id, ...failure });
    return;
  }
  reply({ type: "done", id: request.id, ms: performance.now() - started });
  // After the answer, so the zeros never delay this batch. A failure here fails the next batch.
  try {
    writer.zeroAhead();
  } catch (e) {
    failure = failureOf(e);
  }
});

function failureOf(e: unknown): { message: string; code?: string } {
  const err = e as NodeJS.ErrnoException;
  return { message: err.message, ...(err.code === undefined ? {} : { code: err.code }) };
}

reply({ type: "ready" });
