import { describe, expect, it } from "vitest";
import { crc32c } from "../../../server/persistence/crc32c.js";

const bytes = (f: (i: number) => number, n: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => f(i));

describe("crc32c", () => {
  // Vectors from RFC 3720 (iSCSI) appendix B.4 and the common check value.
  it("matches the published test vectors", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(bytes(() => 0, 32))).toBe(0x8a9136aa);
    expect(crc32c(bytes(() => 0xff, 32))).toBe(0x62a8ab43);
    expect(crc32c(bytes((i) => i, 32))).toBe(0x46dd794e);
    expect(crc32c(bytes((i) => 31 - i, 32))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("continues across pieces and honours start/end at every split", () => {
    const data = bytes((i) => (i * 37 + 11) & 0xff, 67);
    const whole = crc32c(data);
    for (let split = 0; split <= data.length; split++) {
      expect(crc32c(data, crc32c(data, 0, 0, split), split, data.length)).toBe(whole);
      expect(crc32c(data.subarray(0, split), 0)).toBe(crc32c(data, 0, 0, split));
    }
  });

  it("detects a single flipped bit anywhere", () => {
    const data = bytes((i) => (i * 13) & 0xff, 40);
    const good = crc32c(data);
    for (let bit = 0; bit < data.length * 8; bit++) {
      const copy = data.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(crc32c(copy)).not.toBe(good);
    }
  });
});
