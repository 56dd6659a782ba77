import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base64, digestId, sha1, sha1Hex } from "../../../server/tree/sha1.js";

// The tree may not use node:crypto, so it carries its own SHA-1 and base64; Node's are the reference
// here. Every digest ACL id is base64(sha1(...)), so one wrong byte locks users out of their nodes.

/** Bytes that differ at every position and wrap around 256 (a sign or shift slip shows). */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 167 + seed * 31 + 0x5a) & 0xff;
  return out;
}

describe("sha1 against node:crypto", () => {
  it("every length from 0 to 200 bytes: one block, the 55/56 and 63/64 padding boundaries, three blocks", () => {
    for (let length = 0; length <= 200; length++) {
      const input = bytes(length, length);
      const expected = createHash("sha1").update(input).digest("hex");
      expect([length, Buffer.from(sha1(input)).toString("hex")]).toEqual([length, expected]);
    }
  });

  it("inputs with high bytes, all 0xff and all zero, and 1 MiB (a bit length of 2^23)", () => {
    for (const input of [
      new Uint8Array(64).fill(0xff),
      new Uint8Array(119).fill(0xff),
      new Uint8Array(64),
      new Uint8Array(1 << 20).fill(0xa5),
    ]) {
      expect(Buffer.from(sha1(input)).toString("hex")).toBe(createHash("sha1").update(input).digest("hex"));
    }
  });

  it("sha1Hex encodes text as UTF-8 and prints two lowercase digits per byte", () => {
    for (const text of ["", "\u0001", "é", "日本語", "😀 super:secret"]) {
      expect(sha1Hex(text)).toBe(createHash("sha1").update(text, "utf8").digest("hex"));
    }
    // A digest with bytes below 0x10 (the zero padding of each byte shows).
    expect(sha1Hex("abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });
});

describe("base64 against Buffer", () => {
  it("every length from 0 to 10 (both padding forms) and every byte value", () => {
    for (let length = 0; length <= 10; length++) {
      const input = bytes(length, 7);
      expect([length, base64(input)]).toEqual([length, Buffer.from(input).toString("base64")]);
    }
    const all = new Uint8Array(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    expect(base64(all)).toBe(Buffer.from(all).toString("base64"));
    expect(base64(all.reverse())).toBe(Buffer.from(all).toString("base64"));
  });

  it("digestId is user, a colon, then base64 of the SHA-1 of user:password in UTF-8", () => {
    for (const [user, password] of [
      ["super", "secret"],
      ["bob", "pw"],
      ["ünï", "pässwörd"],
      ["", ""],
    ] as const) {
      const hash = createHash("sha1").update(`${user}:${password}`, "utf8").digest("base64");
      expect(digestId(user, password)).toBe(`${user}:${hash}`);
    }
  });
});
