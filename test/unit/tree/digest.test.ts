import { describe, expect, it } from "vitest";
import { DigestSum, Hash64 } from "../../../server/tree/digest.js";

const hex = (h: Hash64): string => `${h.lo.toString(16)} ${h.hi.toString(16)}`;

describe("the tree digest's hash", () => {
  // Pinned values: snapshots carry the digest and a restart recomputes and compares it, so a
  // change to the hash fails every data directory written before it.
  it("gives the same values as when snapshots were first written", () => {
    const h = new Hash64();
    expect([h.start(0).lo, h.hi]).toEqual([0x9747b28c | 0, 0x85ebca6b | 0]);
    expect(hex(h.start(1).word(0x12345678).finish())).toBe("262a1a70 efa325ae");
    expect(
      hex(
        h
          .start(2)
          .number(2 ** 40 + 5)
          .number(-3)
          .finish(),
      ),
    ).toBe("40b23013 10bfe9e8");
    expect(hex(h.start(3).bigint(-2n).bigint(0x1234567890abcdefn).finish())).toBe("55ddec43 b8eba235");
    expect(hex(h.start(4).string("").string("a").string("abc").string("é€").finish())).toBe(
      "369e3db0 3926e06",
    );
    const data = h
      .start(5)
      .data("")
      .data("abcde")
      .data(Uint8Array.of(1, 2, 3, 4, 250))
      .finish();
    expect(hex(data)).toBe("ed598ce8 d9c7bfe1");
  });

  it("hashes data as little-endian 4-byte words, the last zero-padded, for every length and byte", () => {
    // The definition, a byte at a time, against the word-at-a-time loops of both representations.
    const reference = (bytes: number[]): string => {
      const h = new Hash64().start(7).word(bytes.length);
      for (let i = 0; i < bytes.length; i += 4) {
        let w = 0;
        for (let j = 0; j < 4 && i + j < bytes.length; j++) w |= bytes[i + j]! << (8 * j);
        h.word(w);
      }
      return hex(h.finish());
    };
    for (let n = 0; n <= 13; n++) {
      const bytes = Array.from({ length: n }, (_, i) => (i * 37 + 0xf0) & 0xff);
      const text = String.fromCharCode(...bytes);
      expect(hex(new Hash64().start(7).data(text).finish()), `string of ${n}`).toBe(reference(bytes));
      expect(hex(new Hash64().start(7).data(Uint8Array.from(bytes)).finish()), `array of ${n}`).toBe(
        reference(bytes),
      );
    }
  });

  it("inline and array data with the same bytes hash alike; order, length and seed matter", () => {
    const of = (f: (h: Hash64) => Hash64): string => hex(f(new Hash64().start(9)).finish());
    expect(of((h) => h.data("ab\xfa"))).toBe(of((h) => h.data(Uint8Array.of(0x61, 0x62, 0xfa))));
    expect(of((h) => h.string("ab"))).not.toBe(of((h) => h.string("ba")));
    expect(of((h) => h.string("a"))).not.toBe(of((h) => h.string("a\0")));
    expect(of((h) => h.data("a"))).not.toBe(of((h) => h.data("a\0")));
    expect(of((h) => h.number(1))).not.toBe(of((h) => h.number(2 ** 32)));
    expect(of((h) => h.bigint(1n))).not.toBe(of((h) => h.bigint(1n << 32n)));
    expect(hex(new Hash64().start(1).finish())).not.toBe(hex(new Hash64().start(2).finish()));
  });
});

describe("the digest sum (u64, mod 2^64)", () => {
  const part = (lo: number, hi: number): Hash64 => Object.assign(new Hash64(), { lo, hi });

  it("adds with a carry from the low half and wraps at 2^64", () => {
    const s = new DigestSum();
    s.add(part(0xffff_ffff, 0));
    s.add(part(1, 0));
    expect(s.value).toBe(1n << 32n);
    s.add(part(0, 0xffff_ffff));
    expect(s.value).toBe(0n);
    s.add(part(-1, -1)); // signed halves read as uint32
    expect(s.value).toBe((1n << 64n) - 1n);
  });

  it("subtracts what it added, borrowing across the halves", () => {
    const s = new DigestSum();
    s.add(part(5, 7));
    s.subtract(part(6, 0));
    expect(s.value).toBe((7n << 32n) + 5n - 6n);
    s.subtractParts(0, 1);
    expect(s.value).toBe((6n << 32n) + 5n - 6n);
    s.subtractParts(0xffff_ffff, 5);
    s.add(part(0xffff_ffff, 5));
    expect(s.value).toBe((6n << 32n) - 1n);
    const t = new DigestSum();
    t.subtractParts(1, 0);
    expect(t.value).toBe((1n << 64n) - 1n);
    t.subtractParts(0, 0);
    expect(t.value).toBe((1n << 64n) - 1n);
  });
});
