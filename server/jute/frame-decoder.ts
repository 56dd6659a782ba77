// FrameDecoder: splits a TCP byte stream into ZooKeeper's length-prefixed frames.
import { assert } from "../util/assert.js";
import { JuteDecodeError } from "./jute-decode-error.js";
import { JUTE_MAX_BUFFER_DEFAULT } from "./opcodes.js";

/**
 * Fed socket chunks of any size, returns the complete frames (the bytes after each 4-byte
 * big-endian length prefix). A frame wholly inside one chunk is a view of that chunk (no copy);
 * only a frame split across chunks is copied, once, into a buffer of exactly its length. A length
 * that is negative or over frameBytesMax (jute.maxbuffer, prefix not counted) throws
 * JuteDecodeError, and so does every later push: the caller closes the connection.
 */
export class FrameDecoder {
  private readonly prefix = Buffer.alloc(4);
  private prefixFill = 0;
  private pending: Buffer | undefined;
  private pendingFill = 0;
  private failed: JuteDecodeError | undefined;

  constructor(readonly frameBytesMax: number = JUTE_MAX_BUFFER_DEFAULT) {
    assert(
      Number.isInteger(frameBytesMax) && frameBytesMax >= 0 && frameBytesMax <= 0x7fffffff,
      `frameBytesMax ${frameBytesMax} must be an int32 >= 0`,
    );
  }

  /** Bytes held for a frame not yet complete (prefix included). */
  get bufferedBytes(): number {
    return this.prefixFill + this.pendingFill;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.failed !== undefined) throw this.failed;
    const frames: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.pending !== undefined) {
        const n = Math.min(this.pending.length - this.pendingFill, chunk.length - at);
        chunk.copy(this.pending, this.pendingFill, at, at + n);
        this.pendingFill += n;
        at += n;
        if (this.pendingFill === this.pending.length) {
          frames.push(this.pending);
          this.pending = undefined;
          this.pendingFill = 0;
        }
        continue;
      }
      let length: number;
      if (this.prefixFill === 0 && chunk.length - at >= 4) {
        length = chunk.readInt32BE(at);
        at += 4;
      } else {
        const n = Math.min(4 - this.prefixFill, chunk.length - at);
        chunk.copy(this.prefix, this.prefixFill, at, at + n);
        this.prefixFill += n;
        at += n;
        if (this.prefixFill < 4) break;
        this.prefixFill = 0;
        length = this.prefix.readInt32BE(0);
      }
      this.check(length);
      if (chunk.length - at >= length) {
        frames.push(chunk.subarray(at, at + length));
        at += length;
      } else {
        this.pending = Buffer.allocUnsafe(length);
        this.pendingFill = 0;
      }
    }
    return frames;
  }

  private check(length: number): void {
    if (length >= 0 && length <= this.frameBytesMax) return;
    this.failed = new JuteDecodeError(
      length < 0
        ? `frame length ${length} is negative (limit ${this.frameBytesMax})`
        : `frame length ${length} is over the limit ${this.frameBytesMax} (jute.maxbuffer)`,
    );
    throw this.failed;
  }
}
