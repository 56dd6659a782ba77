import type { SnapshotNodeRecord } from "../util/snapshot-node-record.js";

/**
 * SnapshotNode records read straight from protobuf wire format into the tree's restore shape:
 * zxids, times and versions as numbers, only the ephemeral owner as a bigint (0n, shared, when
 * absent), the data a view into the file's bytes. The generated decoder made six bigints and a
 * reader per znode; on a 1M-znode restart that was a fifth of the time, most of it collection.
 * Malformed input throws, as the generated decoder does: the caller reports the record damaged.
 */

const NO_OWNER = 0n;
const EMPTY = Buffer.alloc(0);
const TWO_32 = 0x1_0000_0000;
/** Data up to this size may be a view into the file: the tree stores it as a string (bytes.ts). */
const VIEW_BYTES_MAX = 1024;

/** Where decoding is: the bytes and the offset of the next byte to read. */
interface Cursor {
  readonly buf: Buffer;
  at: number;
  readonly end: number;
}

function fail(reason: string): never {
  throw new Error(`SnapshotNode: ${reason}`);
}

/** A varint as a bigint (the slow path: more than 7 bytes, so possibly above 2^53 or negative). */
function bigVarint(c: Cursor, start: number): bigint {
  let v = 0n;
  let shift = 0n;
  for (let at = start; ; at++) {
    if (at >= c.end) fail("varint runs past the record");
    if (shift > 63n) fail("varint longer than 10 bytes");
    const b = c.buf[at]!;
    v |= BigInt(b & 127) << shift;
    shift += 7n;
    if (b < 128) {
      c.at = at + 1;
      return BigInt.asUintN(64, v);
    }
  }
}

/** A varint as a number when it has at most 7 bytes (below 2^49), else undefined (cursor unmoved). */
function smallVarint(c: Cursor): number | undefined {
  let v = 0;
  let scale = 1;
  for (let at = c.at; at < c.at + 7; at++) {
    if (at >= c.end) fail("varint runs past the record");
    const b = c.buf[at]!;
    v += (b & 127) * scale;
    if (b < 128) {
      c.at = at + 1;
      return v;
    }
    scale *= 128;
  }
  return undefined;
}

/** An int64 field as a number (exact below 2^53, as Number() of the bigint was). */
function int64(c: Cursor): number {
  const small = smallVarint(c);
  return small ?? Number(BigInt.asIntN(64, bigVarint(c, c.at)));
}

/** An int32 field: protobuf keeps the low 32 bits, sign-extended. */
function int32(c: Cursor): number {
  const small = smallVarint(c);
  if (small !== undefined) return small < TWO_32 ? small | 0 : Number(BigInt.asIntN(32, BigInt(small)));
  return Number(BigInt.asIntN(32, bigVarint(c, c.at)));
}

function zxid(c: Cursor): number {
  const v = int64(c);
  if (v < 0 || v > Number.MAX_SAFE_INTEGER) fail(`zxid out of range: ${v}`);
  return v;
}

function length(c: Cursor): number {
  const n = int64(c);
  if (n < 0 || c.at + n > c.end) fail(`length ${n} runs past the record`);
  return n;
}

function skip(c: Cursor, wireType: number): void {
  if (wireType === 0) int64(c);
  else if (wireType === 1) c.at += 8;
  else if (wireType === 2) {
    const n = length(c); // read first: `c.at += length(c)` would add to the offset before the length
    c.at += n;
  } else if (wireType === 5) c.at += 4;
  else fail(`cannot skip wire type ${wireType}`);
  if (c.at > c.end) fail("field runs past the record");
}

/** The SnapshotNode in buf[start, end). */
export function decodeSnapshotNode(buf: Buffer, start: number, end: number): SnapshotNodeRecord {
  const c: Cursor = { buf, at: start, end };
  const n: SnapshotNodeRecord = {
    path: "",
    data: EMPTY,
    aclRef: 0,
    czxid: 0,
    mzxid: 0,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: NO_OWNER,
    pzxid: 0,
    dataNull: undefined,
  };
  while (c.at < end) {
    const tag = int64(c);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === 2 && (field === 1 || field === 2)) {
      const size = length(c);
      if (field === 1) n.path = buf.toString("utf8", c.at, c.at + size);
      // Small data is a view (the tree copies it into a string); larger data the tree keeps as
      // given, and a view would keep the whole snapshot file alive with it: a copy.
      else
        n.data =
          size > VIEW_BYTES_MAX
            ? new Uint8Array(buf.subarray(c.at, c.at + size))
            : buf.subarray(c.at, c.at + size);
      c.at += size;
      continue;
    }
    if (wireType !== 0 || field < 3 || field > 13) {
      skip(c, wireType);
      continue;
    }
    switch (field) {
      case 3:
        n.aclRef = int32(c);
        break;
      case 4:
        n.czxid = zxid(c);
        break;
      case 5:
        n.mzxid = zxid(c);
        break;
      case 6:
        n.ctime = int64(c);
        break;
      case 7:
        n.mtime = int64(c);
        break;
      case 8:
        n.version = int32(c);
        break;
      case 9:
        n.cversion = int32(c);
        break;
      case 10:
        n.aversion = int32(c);
        break;
      case 11: {
        const small = smallVarint(c);
        n.ephemeralOwner = small === undefined ? BigInt.asIntN(64, bigVarint(c, c.at)) : BigInt(small);
        break;
      }
      case 12:
        n.pzxid = zxid(c);
        break;
      default:
        n.dataNull = int64(c) !== 0;
    }
  }
  if (c.at !== end) fail("last field runs past the record");
  return n;
}
