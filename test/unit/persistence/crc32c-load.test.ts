import { describe, expect, it } from "vitest";

// crc32c builds its lookup tables when the module loads. Imported here inside the test, so a
// failure while building them fails this test instead of leaving a file that reports no tests
// (which mutation testing would count as a survivor).

describe("crc32c's tables", () => {
  it("are built at load: the check value, and a length past the 8-byte fast path", async () => {
    const { crc32c } = await import("../../../server/persistence/crc32c.js");
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });
});
