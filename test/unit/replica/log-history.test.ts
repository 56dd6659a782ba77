import { describe, expect, it } from "vitest";
import { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { LogHistory } from "../../../server/replica/log-history.js";

const txn = (zxid: number, size = 40): Txn => ({
  zxid: BigInt(zxid),
  sessionId: 7n,
  cxid: zxid,
  time: 1000n,
  origin: 0,
  originRef: 0,
  body: { $case: "setData", value: { path: `/n${zxid}`, data: Buffer.alloc(size, zxid & 0xff), version: 1 } },
});
const record = (zxid: number, size = 40): Uint8Array => Txn.encode(txn(zxid, size)).finish();
const zxids = (entries: { zxid: number }[] | undefined) => entries?.map((e) => e.zxid);

function filled(from: number, to: number, bytesMax = 1 << 20, chunk = 256): LogHistory {
  const h = new LogHistory(bytesMax, chunk);
  h.reset(from - 1);
  for (let z = from; z <= to; z++) h.append(z, record(z), z - 1);
  return h;
}

describe("LogHistory", () => {
  it("gives back the decoded entries between two zxids it holds, from its base on", () => {
    const h = filled(11, 60);
    expect(h.has(10)).toBe(true); // the base: the log continued after it
    expect(h.has(35)).toBe(true);
    expect(h.has(61)).toBe(false);
    expect(zxids(h.between(10, 13))).toEqual([11, 12, 13]);
    expect(zxids(h.between(40, 60))).toEqual(Array.from({ length: 20 }, (_, i) => 41 + i));
    expect(h.between(40, 40)).toEqual([]);
    const [first] = h.between(20, 21)!;
    expect(first!.txn).toEqual(txn(21));
    // Outside what it holds: no answer rather than a partial one.
    expect(h.between(9, 20)).toBeUndefined();
    expect(h.between(50, 61)).toBeUndefined();
  });

  it("drops whole chunks from the front past its size and moves its base", () => {
    const h = filled(1, 400, 1024, 256);
    expect(h.size).toBeLessThanOrEqual(1024 + 256);
    expect(h.has(400)).toBe(true);
    expect(h.has(1)).toBe(false);
    expect(h.between(0, 400)).toBeUndefined();
    // The oldest zxid it can DIFF from is its base, and from there on every entry is there.
    let base = 1;
    while (!h.has(base)) base++;
    expect(zxids(h.between(base, 400))).toEqual(Array.from({ length: 400 - base }, (_, i) => base + 1 + i));
  });

  it("cuts on TRUNC (also inside a chunk) and continues above the cut", () => {
    const h = filled(1, 100, 1 << 20, 256);
    h.truncate(57);
    expect(h.has(58)).toBe(false);
    expect(zxids(h.between(50, 57))).toEqual([51, 52, 53, 54, 55, 56, 57]);
    h.append(70, record(70), 57);
    expect(zxids(h.between(55, 70))).toEqual([56, 57, 70]);
    // A cut below its base leaves it with no usable base until the next append names one.
    const g = filled(11, 60);
    g.truncate(5);
    expect(g.has(10)).toBe(false);
    expect(g.between(10, 11)).toBeUndefined();
    g.append(80, record(80), 75);
    expect(g.has(75)).toBe(true);
    expect(zxids(g.between(75, 80))).toEqual([80]);
  });

  it("forgets everything on reset (a snapshot replaced the state) and keeps nothing at size 0", () => {
    const h = filled(1, 50);
    h.reset(200);
    expect(h.has(30)).toBe(false);
    expect(h.has(200)).toBe(true);
    expect(h.between(200, 200)).toEqual([]);
    const off = new LogHistory(0);
    off.reset(0);
    off.append(1, record(1), 0);
    expect(off.has(1)).toBe(false);
    expect(off.size).toBe(0);
  });

  it("refuses a zxid that does not follow the last one", () => {
    const h = filled(1, 5);
    expect(() => h.append(5, record(5), 4)).toThrow(/zxid 5 after 5/);
  });
});
