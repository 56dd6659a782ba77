import { describe, expect, it } from "vitest";
import { dataField, printableText, showData } from "../../../server/persistence/data-text.js";

// How the file tools show znode data: text only when it is valid UTF-8 without control characters
// (so a dump never writes raw control bytes to a terminal), previews cut on a character boundary.

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("printableText", () => {
  it("keeps tab, newline and carriage return; refuses every other C0 control and DEL", () => {
    for (const code of [0x09, 0x0a, 0x0d, 0x20, 0x7e]) {
      expect(printableText(Uint8Array.of(0x61, code)), `0x${code.toString(16)}`).toBe(
        `a${String.fromCharCode(code)}`,
      );
    }
    for (const code of [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x0e, 0x10, 0x1f, 0x7f]) {
      expect(printableText(Uint8Array.of(0x61, code, 0x62)), `0x${code.toString(16)}`).toBeUndefined();
    }
    expect(printableText(new Uint8Array(0))).toBe("");
    expect(printableText(utf8("ünï ✓ 🐎"))).toBe("ünï ✓ 🐎");
  });

  it("refuses bytes that are not valid UTF-8", () => {
    expect(printableText(Uint8Array.of(0x61, 0xff))).toBeUndefined();
    expect(printableText(Uint8Array.of(0xe2, 0x9c))).toBeUndefined();
  });
});

describe("showData", () => {
  it("text in full, or cut at the last whole character within the limit", () => {
    expect(showData(utf8("ab✓c"))).toEqual({ encoding: "utf8", value: "ab✓c", omitted: 0 });
    expect(showData(utf8("ab✓c"), { limit: 6 })).toEqual({ encoding: "utf8", value: "ab✓c", omitted: 0 });
    expect(showData(utf8("ab✓c"), { limit: 5 })).toEqual({ encoding: "utf8", value: "ab✓", omitted: 1 });
    expect(showData(utf8("ab✓c"), { limit: 4 })).toEqual({ encoding: "utf8", value: "ab", omitted: 4 });
    expect(showData(utf8("ab✓c"), { limit: 0 })).toEqual({ encoding: "utf8", value: "", omitted: 6 });
    // A character of two UTF-16 units is kept whole or left out whole.
    expect(showData(utf8("a🐎b"), { limit: 5 })).toEqual({ encoding: "utf8", value: "a🐎", omitted: 1 });
    expect(showData(utf8("a🐎b"), { limit: 4 })).toEqual({ encoding: "utf8", value: "a", omitted: 5 });
    expect(showData(utf8("abc"), { limit: 10 })).toEqual({ encoding: "utf8", value: "abc", omitted: 0 });
  });

  it("hex when asked or not printable, cut at the limit in bytes", () => {
    expect(showData(utf8("ab"), { hex: true })).toEqual({ encoding: "hex", value: "6162", omitted: 0 });
    expect(showData(Uint8Array.of(0, 1, 2, 0xff), { limit: 3 })).toEqual({
      encoding: "hex",
      value: "000102",
      omitted: 1,
    });
    expect(showData(Uint8Array.of(0, 1), { limit: 8 })).toEqual({
      encoding: "hex",
      value: "0001",
      omitted: 0,
    });
    expect(showData(utf8("abc"), { hex: true, limit: 2 })).toEqual({
      encoding: "hex",
      value: "6162",
      omitted: 1,
    });
  });
});

describe("dataField", () => {
  it("quoted text, 0x hex, and what a preview left out", () => {
    expect(dataField({ encoding: "utf8", value: 'a"\n', omitted: 0 })).toBe('"a\\"\\n"');
    expect(dataField({ encoding: "hex", value: "00ff", omitted: 0 })).toBe("0x00ff");
    expect(dataField({ encoding: "utf8", value: "ab", omitted: 3 })).toBe('"ab"…+3 bytes');
    expect(dataField({ encoding: "hex", value: "", omitted: 1 })).toBe("0x…+1 bytes");
  });
});
