import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";

/**
 * Server-streaming calls open at once on this member (watch streams and chunked reads together),
 * bounded by `paddock.streamsMax`: HTTP/2 lets one connection open any number of streams, and each
 * holds memory (a watcher's cursor and buffer, a chunked read's pinned value) until it ends.
 */
export class StreamSlots {
  private open = 0;

  constructor(private readonly max: number) {}

  get count(): number {
    return this.open;
  }

  /** Takes a slot or throws Throttled naming the limit; `release` gives it back once. */
  take(path: string): () => void {
    if (this.open >= this.max) {
      throw new PaddockError(
        Code.Throttled,
        path,
        `paddock.streamsMax ${this.max} reached: ${this.open} watch streams and chunked reads are open on this member`,
      );
    }
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
    };
  }
}
