import { byteAt, type StoredData } from "./bytes.js";

/**
 * The tree digest: a u64 sum (mod 2^64) of per-node hashes, maintained incrementally so equal trees
 * have equal digests whatever history built them. A node contributes two hashes, each 64 bits made
 * of two independent 32-bit lanes: one over path + stat + ACL (recomputed on every stat change,
 * cheap), one over path + data (recomputed only when the data changes). Mixing the path into both
 * means moving data or a stat between nodes changes the sum.
 */
export class Hash64 {
  lo = 0;
  hi = 0;

  start(seed: number): this {
    this.lo = 0x9747b28c ^ seed;
    this.hi = 0x85ebca6b ^ seed;
    return this;
  }

  word(value: number): this {
    let k = Math.imul(value | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    this.lo ^= k;
    this.lo = (this.lo << 13) | (this.lo >>> 19);
    this.lo = (Math.imul(this.lo, 5) + 0xe6546b64) | 0;
    let j = Math.imul(value | 0, 0x85ebca77);
    j = (j << 17) | (j >>> 15);
    j = Math.imul(j, 0xc2b2ae3d);
    this.hi ^= j;
    this.hi = (this.hi << 11) | (this.hi >>> 21);
    this.hi = (Math.imul(this.hi, 9) + 0x27d4eb2f) | 0;
    return this;
  }

  /** A number exact below 2^53, negative values included. */
  number(value: number): this {
    return this.word(value % 0x1_0000_0000).word(Math.floor(value / 0x1_0000_0000));
  }

  bigint(value: bigint): this {
    const u = BigInt.asUintN(64, value);
    return this.word(Number(u & 0xffffffffn)).word(Number(u >> 32n));
  }

  string(text: string): this {
    this.word(text.length);
    for (let i = 0; i < text.length; i += 2) {
      this.word(text.charCodeAt(i) | ((i + 1 < text.length ? text.charCodeAt(i + 1) : 0) << 16));
    }
    return this;
  }

  /** Little-endian 4-byte words, the last one zero-padded. Every write hashes its data twice. */
  data(data: StoredData): this {
    const n = data.length;
    this.word(n);
    const whole = n & ~3;
    // One monomorphic loop per representation: byteAt's type check per byte cost a third of a
    // 1M-znode restore.
    if (typeof data === "string") {
      for (let i = 0; i < whole; i += 4) {
        this.word(
          data.charCodeAt(i) |
            (data.charCodeAt(i + 1) << 8) |
            (data.charCodeAt(i + 2) << 16) |
            (data.charCodeAt(i + 3) << 24),
        );
      }
    } else {
      for (let i = 0; i < whole; i += 4) {
        this.word(data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      }
    }
    if (whole < n) {
      let w = 0;
      for (let j = 0; whole + j < n; j++) w |= byteAt(data, whole + j) << (8 * j);
      this.word(w);
    }
    return this;
  }

  finish(): this {
    this.lo = fmix(this.lo ^ this.hi);
    this.hi = fmix(this.hi ^ this.lo);
    return this;
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A u64 sum kept as two uint32 halves, so updates allocate nothing. */
export class DigestSum {
  private lo = 0;
  private hi = 0;

  add(h: Hash64): void {
    this.addParts(h.lo >>> 0, h.hi >>> 0);
  }

  subtract(h: Hash64): void {
    this.subtractParts(h.lo >>> 0, h.hi >>> 0);
  }

  /** Subtracts the u64 hi·2^32 + lo (both uint32). */
  subtractParts(lo: number, hi: number): void {
    // Adding the two's complement of the 64-bit value subtracts it mod 2^64.
    const negLo = (0x1_0000_0000 - lo) % 0x1_0000_0000;
    const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
    this.addParts(negLo, negHi);
  }

  private addParts(lo: number, hi: number): void {
    const sum = this.lo + lo;
    this.lo = sum % 0x1_0000_0000;
    this.hi = (this.hi + hi + (sum >= 0x1_0000_0000 ? 1 : 0)) % 0x1_0000_0000;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}
