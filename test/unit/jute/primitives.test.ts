// JuteWriter/JuteReader primitives and the Stat and ACL records, round-tripped.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readAcl, readStat, writeAcl, writeStat } from "../../../server/jute/data-records.js";
import { JuteReader } from "../../../server/jute/jute-reader.js";
import { JuteWriter } from "../../../server/jute/jute-writer.js";
import { STAT } from "./support/samples.js";

describe("JuteWriter and JuteReader", () => {
  it("writes every 64-bit value as the signed big-endian twin, on both sides of its fast path", () => {
    const edges = [
      0n,
      1n,
      0xffff_ffffn,
      0x1_0000_0000n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 63n - 1n,
      2n ** 64n - 1n,
    ];
    const values = fc.oneof(fc.constantFrom(...edges), fc.bigInt(-(2n ** 63n), 2n ** 64n - 1n));
    fc.assert(
      fc.property(values, (v) => {
        const expected = Buffer.alloc(8);
        expected.writeBigInt64BE(BigInt.asIntN(64, v));
        expect(Buffer.from(new JuteWriter(1).long(v).finish())).toEqual(expected);
      }),
      { seed: 13, numRuns: 2000 },
    );
  });

  it("round-trip every primitive, nulls included, big-endian", () => {
    const w = new JuteWriter(2); // forces growth
    w.int(-2).long(-0x8000_0000_0000_0000n).long(0xffff_ffff_ffff_ffffn).bool(true).bool(false);
    w.buffer(Buffer.from([1, 2]))
      .buffer(null)
      .buffer(Buffer.alloc(0));
    w.ustring("zü€😀").ustring(null).ustring("");
    w.vectorStart(null);
    const bytes = w.finish();
    expect(bytes.subarray(0, 4).toString("hex")).toBe("fffffffe");
    const r = new JuteReader(bytes);
    expect([r.int("i"), r.long("l"), r.long("u"), r.bool("t"), r.bool("f")]).toEqual([
      -2,
      -0x8000_0000_0000_0000n,
      -1n, // an unsigned 64-bit value travels as its signed twin
      true,
      false,
    ]);
    expect([r.buffer("b"), r.buffer("n"), r.buffer("e")]).toEqual([
      Buffer.from([1, 2]),
      null,
      Buffer.alloc(0),
    ]);
    expect([r.ustring("s"), r.ustring("n"), r.ustring("e")]).toEqual(["zü€😀", null, ""]);
    expect(r.vector("v", 4, (x) => x.int("i"))).toBeNull();
    expect(r.remaining).toBe(0);
  });

  it("writes a ustring's UTF-8 byte length, not its UTF-16 length", () => {
    const bytes = new JuteWriter(8).ustring("€").finish();
    expect(bytes.toString("hex")).toBe("00000003e282ac");
  });

  it("frames: the prefix counts the bytes after it, and the writer is reusable", () => {
    const w = new JuteWriter(4);
    const a = w.reset().beginFrame().int(7).finish();
    const b = w.reset().beginFrame().ustring("abc").finish();
    expect(a.toString("hex")).toBe("0000000400000007");
    expect(b.toString("hex")).toBe("0000000700000003616263");
  });

  it("any non-zero byte reads as true, as Java's readBoolean", () => {
    expect(new JuteReader(Buffer.from([2])).bool("b")).toBe(true);
  });

  it("a buffer read is a copy, not a view of the frame", () => {
    const frame = new JuteWriter(16).buffer(Buffer.from("abc")).finish();
    const b = new JuteReader(frame).buffer("b")!;
    frame[4] = 0x7a;
    expect(b.toString()).toBe("abc");
  });

  it("Stat (68 bytes, 11 fields) and ACL round-trip", () => {
    const w = new JuteWriter(8);
    writeStat(w, STAT);
    writeAcl(w, { perms: 5, id: { scheme: "digest", id: "u:x" } });
    const bytes = w.finish();
    expect(bytes.length).toBe(68 + 4 + 4 + 6 + 4 + 3);
    const r = new JuteReader(bytes);
    expect(readStat(r)).toEqual(STAT);
    expect(readAcl(r)).toEqual({ perms: 5, id: { scheme: "digest", id: "u:x" } });
  });
});
