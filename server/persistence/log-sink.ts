import { Worker } from "node:worker_threads";
import { OrderedQueue } from "../util/ordered-queue.js";
import type { FileLayer } from "./file-layer.js";
import type { WorkerInit, WorkerReply } from "./log-worker.js";
import { SegmentWriter } from "./segment-writer.js";

/** Where the log's batches are written: a worker thread (real disk) or inline (injected FileLayer). */
export interface LogSink {
  /** Writes and (with forceSync) fdatasyncs one packed batch; resolves with the time it took. */
  flush(frames: Uint8Array): Promise<number>;
  /** Batches it may hold at once; they are written and answered in order. */
  readonly batchesInFlightMax: number;
  close(): Promise<void>;
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs the segment writer on the main thread. Used with an injected FileLayer (tests, the
 * simulator): the layer may be in memory and cannot cross into a worker. It yields between the
 * write and the fdatasync so a test can observe (and crash in) that window, as with the worker.
 */
export class InlineSink implements LogSink {
  /** One: a test observes (and crashes in) each batch's window between write and fdatasync. */
  readonly batchesInFlightMax = 1;
  private readonly writer: SegmentWriter;
  private zeroFailure: Error | undefined;
  constructor(init: WorkerInit, files: FileLayer) {
    this.writer = new SegmentWriter({ ...init, files });
  }
  async flush(frames: Uint8Array): Promise<number> {
    await yieldTurn();
    if (this.zeroFailure) throw this.zeroFailure;
    const started = performance.now();
    this.writer.write(frames);
    await yieldTurn();
    this.writer.sync();
    const ms = performance.now() - started;
    // As the worker: this batch is durable; a failure writing zeros fails the next one.
    try {
      this.writer.zeroAhead();
    } catch (e) {
      this.zeroFailure = e as Error;
    }
    return ms;
  }
  async close(): Promise<void> {
    this.writer.close();
  }
}

/** From TypeScript source (tsx, vitest) the worker boots through a file that registers tsx. */
function workerEntry(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./log-worker-boot.mjs" : "./log-worker.js", import.meta.url);
}

export class WorkerSink implements LogSink {
  /** Two: the worker starts the next write + fdatasync without waiting for the main thread. */
  readonly batchesInFlightMax = 2;
  private readonly worker: Worker;
  private nextId = 1;
  /** Batches the worker holds, by id; it answers them in order. */
  private readonly waiting = new OrderedQueue<{
    resolve: (ms: number) => void;
    reject: (e: Error) => void;
  }>();
  private closeWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private dead: Error | undefined;
  private closing = false;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on("message", (reply: WorkerReply) => this.onReply(reply));
    worker.on("error", (e) => this.die(new Error(`log worker crashed: ${e.message}`, { cause: e })));
    worker.on("exit", (code) => {
      if (!this.closing) this.die(new Error(`log worker exited with code ${code}`));
    });
  }

  static start(init: WorkerInit): Promise<WorkerSink> {
    const worker = new Worker(workerEntry(), { workerData: init });
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      worker.once("error", onError);
      worker.once("message", (reply: WorkerReply) => {
        worker.off("error", onError);
        if (reply.type === "ready") resolve(new WorkerSink(worker));
        else reject(new Error(`log worker failed to start: ${JSON.stringify(reply)}`));
      });
    });
  }

  flush(frames: Uint8Array): Promise<number> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    // Transfer when the batch owns its whole buffer (packFrames output); copy otherwise.
    const owned = frames.byteOffset === 0 && frames.byteLength === frames.buffer.byteLength;
    const buffer = (owned ? frames.buffer : frames.slice().buffer) as ArrayBuffer;
    return new Promise((resolve, reject) => {
      this.waiting.push(id, { resolve, reject });
      this.worker.postMessage({ type: "batch", id, frames: buffer }, [buffer]);
    });
  }

  close(): Promise<void> {
    if (this.dead) return this.worker.terminate().then(() => undefined);
    this.closing = true;
    return new Promise<void>((resolve, reject) => {
      this.closeWaiter = { resolve, reject };
      this.worker.postMessage({ type: "close" });
    }).finally(() => this.worker.terminate());
  }

  private onReply(reply: WorkerReply): void {
    switch (reply.type) {
      case "done":
        this.take(reply.id)?.resolve(reply.ms);
        break;
      case "error": {
        const err = Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
        this.take(reply.id)?.reject(err);
        break;
      }
      case "closed":
        if (reply.error === undefined) this.closeWaiter?.resolve();
        else this.closeWaiter?.reject(new Error(reply.error));
        break;
      case "ready":
        break;
    }
  }

  private take(id: number): { resolve: (ms: number) => void; reject: (e: Error) => void } | undefined {
    return this.waiting.take(id);
  }

  private die(e: Error): void {
    this.dead ??= e;
    for (const [, w] of this.waiting.drain()) w.reject(e);
    this.closeWaiter?.reject(e);
  }
}
