import { describe, expect, it } from "vitest";
import { SnapshotNode } from "../../../server/gen/paddock/internal/v1/snapshot.js";
import { snapshotNodeSize, writeSnapshotNode } from "../../../server/persistence/snapshot-node-codec.js";
import { decodeSnapshotNode } from "../../../server/persistence/snapshot-node-decode.js";

// The hand-written SnapshotNode decoder (restart's hot path) against the generated one: the same
// fields for every record the server writes and for records it never writes (negative int32s,
// int64s past 2^53, unknown fields), numbers where the generated code gives bigints.

/** A small deterministic generator, so a failure names its case. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomNode(r: () => number, i: number): SnapshotNode {
  const pick = <T>(...xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const zxid = pick(
    0n,
    1n,
    0x1_0000_0001n,
    BigInt(Number.MAX_SAFE_INTEGER),
    BigInt(Math.floor(r() * 2 ** 40)),
  );
  const int32 = () => pick(0, 1, 127, 128, 2 ** 31 - 1, -1, -(2 ** 31), Math.floor(r() * 2 ** 31) - 2 ** 30);
  const dataLength = pick(0, 1, 3, 100, 1500);
  return {
    path: pick("/", `/n${i}`, "/é/ü€", `/a/${"x".repeat(Math.floor(r() * 300))}`),
    data: Buffer.from(Array.from({ length: dataLength }, () => Math.floor(r() * 256))),
    aclRef: int32(),
    czxid: zxid,
    mzxid: pick(0n, zxid, 0x2_0000_0005n),
    ctime: pick(0n, 1_700_000_000_000n, -5n, 1n << 60n, -(1n << 62n)),
    mtime: pick(0n, 1_700_000_000_500n),
    version: int32(),
    cversion: int32(),
    aversion: int32(),
    ephemeralOwner: pick(0n, 0x1234n, -0x7edc_ba98_7654_3210n, 0x7fff_ffff_ffff_ffffn, -1n, 1n << 53n),
    pzxid: pick(0n, zxid),
    ...(r() < 0.2 ? { dataNull: r() < 0.5 } : {}),
  };
}

/** What the generated decoder gives, in the hand-written decoder's shape. */
function expected(bytes: Uint8Array) {
  const g = SnapshotNode.decode(bytes);
  return {
    ...g,
    data: Buffer.from(g.data),
    czxid: Number(g.czxid),
    mzxid: Number(g.mzxid),
    ctime: Number(g.ctime),
    mtime: Number(g.mtime),
    pzxid: Number(g.pzxid),
  };
}

function decoded(bytes: Uint8Array) {
  const buf = Buffer.concat([Buffer.from([9, 9]), bytes, Buffer.from([7])]); // not at offset 0
  const d = decodeSnapshotNode(buf, 2, 2 + bytes.length);
  return { ...d, data: Buffer.from(d.data) };
}

/** A field's tag as its varint bytes. */
function tag(field: number, wireType: number): number[] {
  const out: number[] = [];
  let v = field * 8 + wireType;
  while (v >= 128) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

describe("decodeSnapshotNode", () => {
  it("reads what the generated encoder writes, field for field, for 2,000 varied records", () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const n = randomNode(r, i);
      const bytes = SnapshotNode.encode(n).finish();
      expect(decoded(bytes), `record ${i}`).toEqual(expected(bytes));
    }
  });

  it("reads what the server's own writer writes (snapshot-node-codec)", () => {
    const r = rng(11);
    for (let i = 0; i < 500; i++) {
      const n = randomNode(r, i);
      const buf = Buffer.alloc(snapshotNodeSize(n, Buffer.byteLength(n.path)));
      const end = writeSnapshotNode(buf, 0, n, Buffer.byteLength(n.path));
      expect(end).toBe(buf.length);
      expect(decoded(buf), `record ${i}`).toEqual(expected(buf));
    }
  });

  it("copies data the tree keeps as bytes (over 1 KiB): no view keeps the snapshot file alive", () => {
    const file = Buffer.concat([
      SnapshotNode.encode({ ...randomNode(rng(5), 1), data: Buffer.alloc(1025, 3) }).finish(),
      SnapshotNode.encode({ ...randomNode(rng(5), 2), data: Buffer.alloc(1024, 4) }).finish(),
    ]);
    const firstEnd = SnapshotNode.encode({ ...randomNode(rng(5), 1), data: Buffer.alloc(1025, 3) }).finish()
      .length;
    const big = decodeSnapshotNode(file, 0, firstEnd);
    const small = decodeSnapshotNode(file, firstEnd, file.length);
    expect(Buffer.from(big.data).equals(Buffer.alloc(1025, 3))).toBe(true);
    expect(big.data.buffer).not.toBe(file.buffer);
    expect(big.data.buffer.byteLength).toBe(1025);
    // Up to 1 KiB the tree copies the bytes into a string, so a view costs nothing lasting.
    expect(Buffer.from(small.data).equals(Buffer.alloc(1024, 4))).toBe(true);
    expect(small.data.buffer).toBe(file.buffer);
  });

  it("skips fields it does not know, of every wire type, as the generated decoder does", () => {
    const known = SnapshotNode.encode({ ...randomNode(rng(3), 1), version: 4 }).finish();
    const unknown = Buffer.from([
      ...tag(14, 0),
      0x96,
      0x01, // varint
      ...tag(15, 1),
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8, // fixed64
      ...tag(16, 2),
      3,
      0x61,
      0x62,
      0x63, // length-delimited
      ...tag(300, 5),
      1,
      2,
      3,
      4, // fixed32
      ...tag(8, 2),
      1,
      0x00, // a known field with the wrong wire type
    ]);
    const bytes = Buffer.concat([unknown, known, unknown]);
    expect(decoded(bytes)).toEqual(expected(bytes));
    expect(decoded(bytes).version).toBe(4);
  });

  it("refuses a truncated varint, a length past the record, a group, a zxid out of range", () => {
    const refuse = (bytes: number[]) => () => decodeSnapshotNode(Buffer.from(bytes), 0, bytes.length);
    expect(refuse([(4 << 3) | 0, 0x80])).toThrow("SnapshotNode: varint runs past the record");
    expect(refuse([(1 << 3) | 2, 5, 0x41])).toThrow("SnapshotNode: length 5 runs past the record");
    expect(refuse(tag(20, 3))).toThrow("SnapshotNode: cannot skip wire type 3");
    expect(refuse([(15 << 3) | 1, 1, 2])).toThrow("SnapshotNode: field runs past the record");
    // czxid -1 (ten bytes): the generated path asserted the same range later, in the tree.
    expect(refuse([(4 << 3) | 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1])).toThrow(
      "SnapshotNode: zxid out of range: -1",
    );
    expect(refuse([(4 << 3) | 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1])).toThrow(
      "SnapshotNode: varint longer than 10 bytes",
    );
  });
});
