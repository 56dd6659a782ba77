// Mutator: byte-level mutations of fuzz inputs (AFL's and libFuzzer's usual set), seeded.
import { Prng } from "../../../server/util/prng.js";

/** Values that sit on the edges decoders check: signs, widths, "null" lengths. */
export const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 16, 32, 64, 100];
export const INTERESTING_32 = [
  0, 1, 2, 4, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0x3ff, 0x400, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x10_0000,
  0x100_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff,
];

type Mutation = (input: Buffer, other: Buffer) => Buffer;

/**
 * Applies one to four mutations, chosen by a seeded generator, to a copy of the input: bit flips,
 * random bytes, interesting integers (8, 16, 32 bits, both byte orders), byte inserts and deletes,
 * block duplication, splices with another corpus entry, dictionary tokens, and length-field
 * tweaks (a 32-bit word set to the bytes that follow it, give or take one, or to a hostile
 * value). The same seed and inputs give the same outputs.
 */
export class Mutator {
  private readonly rng: Prng;
  private readonly mutations: Mutation[];

  constructor(
    seed: number,
    private readonly dictionary: readonly Buffer[] = [],
    private readonly inputBytesMax = 4096,
  ) {
    this.rng = new Prng(seed);
    this.mutations = [
      (b) => this.flipBit(b),
      (b) => this.flipBit(b),
      (b) => this.randomByte(b),
      (b) => this.interesting8(b),
      (b) => this.interesting32(b),
      (b) => this.insertBytes(b),
      (b) => this.deleteBytes(b),
      (b) => this.duplicateBlock(b),
      (b, o) => this.splice(b, o),
      (b) => this.lengthField(b),
      (b) => this.lengthField(b),
      (b) => this.token(b),
    ];
  }

  below(n: number): number {
    return this.rng.below(n);
  }

  mutate(input: Buffer, other: Buffer): Buffer {
    let out: Buffer = Buffer.from(input);
    const rounds = 1 + this.rng.below(4);
    for (let i = 0; i < rounds; i++) out = this.mutations[this.rng.below(this.mutations.length)]!(out, other);
    return out.length > this.inputBytesMax ? out.subarray(0, this.inputBytesMax) : out;
  }

  private at(b: Buffer, width = 1): number {
    return this.rng.below(Math.max(1, b.length - width + 1));
  }

  private flipBit(b: Buffer): Buffer {
    if (b.length === 0) return Buffer.from([this.rng.below(256)]);
    const i = this.at(b);
    b[i] = b[i]! ^ (1 << this.rng.below(8));
    return b;
  }

  private randomByte(b: Buffer): Buffer {
    if (b.length === 0) return Buffer.from([this.rng.below(256)]);
    b[this.at(b)] = this.rng.below(256);
    return b;
  }

  private interesting8(b: Buffer): Buffer {
    if (b.length === 0) return b;
    b[this.at(b)] = INTERESTING_8[this.rng.below(INTERESTING_8.length)]!;
    return b;
  }

  private interesting32(b: Buffer): Buffer {
    const wide = this.rng.below(2) === 0;
    const width = wide ? 4 : 2;
    if (b.length < width) return b;
    const v = INTERESTING_32[this.rng.below(INTERESTING_32.length)]!;
    const i = this.at(b, width);
    const be = this.rng.below(2) === 0;
    if (wide) {
      if (be) b.writeUInt32BE(v >>> 0, i);
      else b.writeUInt32LE(v >>> 0, i);
    } else if (be) b.writeUInt16BE(v & 0xffff, i);
    else b.writeUInt16LE(v & 0xffff, i);
    return b;
  }

  private insertBytes(b: Buffer): Buffer {
    const n = 1 + this.rng.below(this.rng.below(2) === 0 ? 4 : 64);
    const bytes = Buffer.alloc(n);
    const fill = this.rng.below(2) === 0 ? this.rng.below(256) : -1;
    for (let i = 0; i < n; i++) bytes[i] = fill >= 0 ? fill : this.rng.below(256);
    const i = this.rng.below(b.length + 1);
    return Buffer.concat([b.subarray(0, i), bytes, b.subarray(i)]);
  }

  private deleteBytes(b: Buffer): Buffer {
    if (b.length === 0) return b;
    const i = this.at(b);
    const n = 1 + this.rng.below(Math.min(b.length - i, this.rng.below(2) === 0 ? 4 : 64));
    return Buffer.concat([b.subarray(0, i), b.subarray(i + n)]);
  }

  private duplicateBlock(b: Buffer): Buffer {
    if (b.length === 0) return b;
    const from = this.at(b);
    const n = 1 + this.rng.below(Math.min(b.length - from, 64));
    const to = this.rng.below(b.length + 1);
    return Buffer.concat([b.subarray(0, to), b.subarray(from, from + n), b.subarray(to)]);
  }

  /** A prefix of this input and a suffix of the other (crossover). */
  private splice(b: Buffer, other: Buffer): Buffer {
    if (other.length === 0) return b;
    const cut = this.rng.below(b.length + 1);
    const from = this.rng.below(other.length);
    return Buffer.concat([b.subarray(0, cut), other.subarray(from)]);
  }

  /**
   * A 32-bit word (jute's ints are big-endian, Paddock's frame headers little-endian) set to the
   * count of bytes after it, plus or minus one, or to -1, 0 or 0x7fffffff: where length checks live.
   */
  private lengthField(b: Buffer): Buffer {
    if (b.length < 4) return b;
    const i = this.at(b, 4);
    const rest = b.length - i - 4;
    const choices = [rest, rest + 1, Math.max(0, rest - 1), 0xffff_ffff, 0, 0x7fff_ffff, rest * 2];
    const be = this.rng.below(2) === 0;
    const old = be ? b.readUInt32BE(i) : b.readUInt32LE(i);
    const v =
      this.rng.below(3) === 0
        ? (old + (this.rng.below(2) === 0 ? 1 : -1)) >>> 0
        : choices[this.rng.below(choices.length)]! >>> 0;
    if (be) b.writeUInt32BE(v, i);
    else b.writeUInt32LE(v, i);
    return b;
  }

  private token(b: Buffer): Buffer {
    if (this.dictionary.length === 0) return this.interesting32(b);
    const t = this.dictionary[this.rng.below(this.dictionary.length)]!;
    const i = this.rng.below(b.length + 1);
    if (this.rng.below(2) === 0) return Buffer.concat([b.subarray(0, i), t, b.subarray(i)]);
    const out = Buffer.concat([b.subarray(0, i), t, b.subarray(Math.min(b.length, i + t.length))]);
    return out;
  }
}
