/**
 * A persistent watch as an async iterable: `for await (const e of client.watch("/a", { recursive: true }))`.
 * It ends when the watch is removed (PersistentWatchRemoved), when the loop exits (which removes
 * the watch) or when the session ends. Events wait in a bounded buffer; a consumer that falls
 * more than `bufferMax` events behind gets an error from the iterator rather than unbounded memory.
 */
import { Code, errorFor, type PaddockError } from "./errors.js";
import type { WatchEvent, Watcher } from "./types.js";

export class WatchIterator implements AsyncIterableIterator<WatchEvent> {
  private readonly buffer: WatchEvent[] = [];
  private readonly waiting: {
    resolve(r: IteratorResult<WatchEvent>): void;
    reject(e: unknown): void;
  }[] = [];
  private ended = false;
  private failure: PaddockError | undefined;

  readonly watcher: Watcher = (event) => {
    if (this.ended) return;
    if (event.type === "PersistentWatchRemoved") {
      this.end();
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.buffer.length >= this.bufferMax) {
      this.end(
        errorFor(
          Code.APIError,
          event.path,
          `watch consumer fell ${this.bufferMax} events behind; watch dropped`,
        ),
      );
      void this.remove().catch(() => undefined);
      return;
    }
    this.buffer.push(event);
  };

  constructor(
    private readonly remove: () => Promise<void>,
    private readonly bufferMax: number,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the iteration: buffered events are still delivered, then done (or the error). */
  end(error?: PaddockError): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.buffer.length > 0) return;
    for (const w of this.waiting.splice(0)) {
      if (error !== undefined) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    const event = this.buffer.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure !== undefined
        ? Promise.reject(failure)
        : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<WatchEvent>> {
    if (!this.ended) {
      this.end();
      await this.remove().catch(() => undefined);
    }
    this.buffer.length = 0;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchEvent> {
    return this;
  }
}
