// JuteWriter: big-endian jute primitives into one reusable, growing buffer.

/**
 * Writes jute's primitives. The buffer grows by doubling and is kept between messages (reset()
 * starts over), so the hot path allocates only the finished frame. Values are ours (already
 * validated), so a value out of its type's range is a RangeError from Buffer, not a decode error.
 */
const SAFE_BIGINT_MAX = BigInt(Number.MAX_SAFE_INTEGER);

export class JuteWriter {
  private buf: Buffer;
  private pos = 0;
  private frameStart = -1;

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  reset(): this {
    this.pos = 0;
    this.frameStart = -1;
    return this;
  }

  private ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  int(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** Wraps to signed 64 bits: session ids are full 64-bit values, whichever sign they were given. */
  long(v: bigint): this {
    this.ensure(8);
    if (v >= 0n && v <= SAFE_BIGINT_MAX) {
      // Zxids, times, versions: two 32-bit halves of an exact double, no BigInt arithmetic
      // (writeBigInt64BE and asIntN allocate several BigInts per call: most of a reply's garbage).
      const n = Number(v);
      this.buf.writeUInt32BE(Math.floor(n / 0x1_0000_0000), this.pos);
      this.buf.writeUInt32BE(n >>> 0, this.pos + 4);
    } else {
      this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos);
    }
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  buffer(v: Uint8Array | null): this {
    if (v === null) return this.int(-1);
    this.ensure(4 + v.length);
    this.buf.writeInt32BE(v.length, this.pos);
    this.buf.set(v, this.pos + 4);
    this.pos += 4 + v.length;
    return this;
  }

  ustring(v: string | null): this {
    if (v === null) return this.int(-1);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: reserve that, write, then fill in the length.
    this.ensure(4 + v.length * 3);
    const n = this.buf.write(v, this.pos + 4, "utf8");
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4 + n;
    return this;
  }

  /** A vector's count (or -1 for null); the caller writes the items. */
  vectorStart(count: number | null): this {
    return this.int(count === null ? -1 : count);
  }

  /** Reserves the 4-byte length prefix of a frame; endFrame() fills it in. */
  beginFrame(): this {
    this.frameStart = this.pos;
    return this.int(0);
  }

  /** The bytes written since reset(), copied out (the internal buffer is reused). */
  finish(): Buffer {
    if (this.frameStart >= 0) this.buf.writeInt32BE(this.pos - this.frameStart - 4, this.frameStart);
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.reset();
    return out;
  }
}

/** The writer all encoders share: encoding is synchronous, so one per process is enough. */
export const sharedWriter = new JuteWriter(64 * 1024);
