import { describe, expect, it } from "vitest";
import { SnapshotNode } from "../../../server/gen/paddock/internal/v1/snapshot.js";
import {
  type SnapshotNodeFields,
  snapshotNodeSize,
  writeSnapshotNode,
} from "../../../server/persistence/snapshot-node-codec.js";
import { CONTAINER_OWNER, ttlOwner } from "../../../server/tree/ephemeral-type.js";
import { Prng } from "../../../server/util/prng.js";

function encodeFast(n: SnapshotNodeFields): Uint8Array {
  const pathBytes = Buffer.byteLength(n.path, "utf8");
  const size = snapshotNodeSize(n, pathBytes);
  const buf = Buffer.alloc(size + 8, 0xee);
  const end = writeSnapshotNode(buf, 4, n, pathBytes);
  expect(end - 4).toBe(size);
  expect(buf[3]).toBe(0xee);
  expect(buf[end]).toBe(0xee);
  return buf.subarray(4, end);
}

describe("hand-written SnapshotNode encoding", () => {
  it("writes the generated encoder's bytes for zero, small, large and negative fields", () => {
    const rng = new Prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[rng.below(xs.length)]!;
    const bigs = [
      0n,
      1n,
      127n,
      128n,
      300n,
      0x1_0000_0001n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 62n,
      -1n,
      CONTAINER_OWNER,
      ttlOwner(1000),
    ];
    const ints = [0, 1, 127, 128, 2 ** 31 - 1, -1, -2, -(2 ** 31)];
    for (let i = 0; i < 2000; i++) {
      const n: SnapshotNode = {
        path: pick([
          "",
          "/",
          "/a",
          "/zookeeper/quota",
          `/q/s-${String(i).padStart(10, "0")}`,
          "/ünï/çødé/✓",
          "/x".repeat(100),
        ]),
        data: Buffer.from(pick(["", "v", "x".repeat(100), "y".repeat(200), "🐎"])),
        aclRef: pick(ints),
        czxid: pick(bigs),
        mzxid: pick(bigs),
        ctime: pick(bigs),
        mtime: pick(bigs),
        version: pick(ints),
        cversion: pick(ints),
        aversion: pick(ints),
        ephemeralOwner: pick(bigs),
        pzxid: pick(bigs),
      };
      const expected = SnapshotNode.encode(n).finish();
      // The tree's walk gives its zxids and times as numbers: the same bytes.
      const safe = (v: bigint): bigint | number => (v >= -(2n ** 53n) && v < 2n ** 53n ? Number(v) : v);
      const numeric: SnapshotNodeFields = {
        ...n,
        czxid: safe(n.czxid),
        mzxid: safe(n.mzxid),
        ctime: safe(n.ctime),
        mtime: safe(n.mtime),
        pzxid: safe(n.pzxid),
      };
      expect(Buffer.from(encodeFast(numeric)).equals(Buffer.from(expected))).toBe(true);
      // The tree's stored form of small data: a string of one byte per char.
      const latin1: SnapshotNodeFields = { ...numeric, data: Buffer.from(n.data).toString("latin1") };
      expect(Buffer.from(encodeFast(latin1)).equals(Buffer.from(expected))).toBe(true);
      expect(
        Buffer.from(encodeFast(n)).equals(Buffer.from(expected)),
        JSON.stringify(n, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      ).toBe(true);
    }
  });

  it("writes data_null when it is set, true or false, as the generated encoder does", () => {
    for (const dataNull of [true, false, undefined]) {
      const n: SnapshotNode = {
        path: "/a",
        data: Buffer.alloc(0),
        aclRef: 0,
        czxid: 0n,
        mzxid: 0n,
        ctime: 0n,
        mtime: 0n,
        version: 0,
        cversion: 0,
        aversion: 0,
        ephemeralOwner: 0n,
        pzxid: 0n,
        ...(dataNull === undefined ? {} : { dataNull }),
      };
      const expected = Buffer.from(SnapshotNode.encode(n).finish());
      expect(Buffer.from(encodeFast(n)).equals(expected), String(dataNull)).toBe(true);
    }
    // Field 1 (path "/a"), then field 13 as a varint: 0x68 and the bool.
    expect(Buffer.from(encodeFast({ ...emptyNode("/a"), dataNull: true })).toString("hex")).toBe(
      "0a022f616801",
    );
  });

  it("writes each field's exact bytes: tags in number order, varints little end first, negatives as 10 bytes", () => {
    const n: SnapshotNodeFields = {
      path: "/",
      data: "\u00ff",
      aclRef: 1,
      czxid: 128,
      mzxid: 2n ** 53n,
      ctime: -1,
      mtime: 2n ** 63n - 1n,
      version: -1,
      cversion: 127,
      aversion: 128,
      ephemeralOwner: -2n,
      pzxid: 2 ** 53 - 1,
    };
    expect(Buffer.from(encodeFast(n)).toString("hex")).toBe(
      [
        "0a012f", // path "/"
        "1201ff", // data: one byte 0xff from a latin1 string
        "1801", // aclRef 1
        "208001", // czxid 128
        "2880808080808080" + "10", // mzxid 2^53 (a bigint past the number path)
        "30ffffffffffffffffff01", // ctime -1 (a number)
        "38ffffffffffffffff7f", // mtime 2^63 - 1, the largest int64 (a number would round it up)
        "40ffffffffffffffffff01", // version -1
        "487f", // cversion 127
        "508001", // aversion 128
        "58feffffffffffffffff01", // ephemeralOwner -2
        "60ffffffffffffff0f", // pzxid 2^53 - 1
      ].join(""),
    );
  });
});

function emptyNode(path: string): SnapshotNodeFields {
  return {
    path,
    data: "",
    aclRef: 0,
    czxid: 0,
    mzxid: 0,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0,
    pzxid: 0,
  };
}
