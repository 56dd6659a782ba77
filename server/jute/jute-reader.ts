// JuteReader: bounds-checked big-endian reads of jute primitives from one frame.
import { JuteDecodeError } from "./jute-decode-error.js";

/**
 * Reads jute's primitives from [offset, end) of a buffer. Every length is checked against the bytes
 * left before anything is read or allocated, so a hostile length throws JuteDecodeError (naming
 * the field and the offset) instead of reading out of bounds or allocating.
 */
export class JuteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
    private readonly end = buf.length,
  ) {
    this.pos = offset;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(field: string, bytes: number): void {
    if (this.end - this.pos < bytes) {
      throw new JuteDecodeError(
        `${field}: needs ${bytes} bytes at offset ${this.pos}, only ${this.end - this.pos} left`,
      );
    }
  }

  int(field: string): number {
    this.need(field, 4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  long(field: string): bigint {
    this.need(field, 8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Any non-zero byte is true, as Java's DataInput.readBoolean. */
  bool(field: string): boolean {
    this.need(field, 1);
    return this.buf[this.pos++] !== 0;
  }

  /** A length prefix: -1 is null, other negatives and lengths past the end are errors. */
  private length(field: string, itemBytesMin: number): number {
    const at = this.pos;
    const n = this.int(field);
    if (n === -1) return -1;
    if (n < 0) throw new JuteDecodeError(`${field}: negative length ${n} at offset ${at}`);
    if (n * itemBytesMin > this.end - this.pos) {
      throw new JuteDecodeError(
        `${field}: length ${n} at offset ${at} exceeds the ${this.end - this.pos} bytes left`,
      );
    }
    return n;
  }

  /**
   * A copy, not a view: decoded requests outlive the frame (the tree keeps large data arrays as
   * given), and a view would pin the whole socket chunk.
   */
  buffer(field: string): Buffer | null {
    const n = this.length(field, 1);
    if (n === -1) return null;
    const out = Buffer.allocUnsafeSlow(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** UTF-8; malformed sequences become U+FFFD, as Java's String constructor does. */
  ustring(field: string): string | null {
    const n = this.length(field, 1);
    if (n === -1) return null;
    const s = this.buf.toString("utf8", this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A vector of items each at least itemBytesMin long (so a hostile count cannot allocate); null for -1. */
  vector<T>(field: string, itemBytesMin: number, item: (r: JuteReader) => T): T[] | null {
    const n = this.length(field, Math.max(1, itemBytesMin));
    if (n === -1) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }
}
