/** A SnapshotNode whose int64 fields may also be numbers (the tree's walk gives numbers). */
export interface SnapshotNodeFields {
  path: string;
  /** Bytes, or a string of one byte per char (latin1: the tree's stored form of small data). */
  data: Uint8Array | string;
  aclRef: number;
  czxid: bigint | number;
  mzxid: bigint | number;
  ctime: bigint | number;
  mtime: bigint | number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint | number;
  pzxid: bigint | number;
  /** Written when set (true or false), as the generated encoder writes a proto3 optional. */
  dataNull?: boolean | undefined;
}

/**
 * SnapshotNode in protobuf wire format, written straight into a frame buffer: the same bytes as
 * the generated SnapshotNode.encode(...).finish() (fields in number order, zero values omitted),
 * without a BinaryWriter and its buffers per node. A snapshot writes one per znode, so this is the
 * snapshot's hot path.
 */

const TWO_64 = 1n << 64n;

/** Bytes of `v` as a varint; v is a non-negative integer below 2^64 (a number up to 2^53). */
function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Uint8Array, at: number, v: number): number {
  while (v >= 128) {
    buf[at++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

function bigVarintSize(v: bigint): number {
  let n = 1;
  while (v >= 128n) {
    v >>= 7n;
    n++;
  }
  return n;
}

function writeBigVarint(buf: Uint8Array, at: number, v: bigint): number {
  while (v >= 128n) {
    buf[at++] = Number(v & 127n) | 128;
    v >>= 7n;
  }
  buf[at++] = Number(v);
  return at;
}

/** An int64 or int32 field's value as the unsigned 64-bit varint protobuf writes (negatives: 10 bytes). */
function int64Unsigned(v: bigint): bigint {
  return v < 0n ? v + TWO_64 : v;
}

function int64Size(v: bigint | number): number {
  if (typeof v === "number") return v >= 0 ? varintSize(v) : bigVarintSize(int64Unsigned(BigInt(v)));
  return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? varintSize(Number(v))
    : bigVarintSize(int64Unsigned(v));
}

function writeInt64(buf: Uint8Array, at: number, v: bigint | number): number {
  if (typeof v === "number")
    return v >= 0 ? writeVarint(buf, at, v) : writeBigVarint(buf, at, int64Unsigned(BigInt(v)));
  return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? writeVarint(buf, at, Number(v))
    : writeBigVarint(buf, at, int64Unsigned(v));
}

function int32Size(v: number): number {
  return v >= 0 ? varintSize(v) : 10;
}

function writeInt32(buf: Uint8Array, at: number, v: number): number {
  return v >= 0 ? writeVarint(buf, at, v) : writeBigVarint(buf, at, BigInt(v) + TWO_64);
}

function int32Field(buf: Uint8Array, at: number, field: number, v: number): number {
  if (v === 0) return at;
  buf[at] = field << 3;
  return writeInt32(buf, at + 1, v);
}

function int64Field(buf: Uint8Array, at: number, field: number, v: bigint | number): number {
  if (v === 0n || v === 0) return at;
  buf[at] = field << 3;
  return writeInt64(buf, at + 1, v);
}

/** The encoded length of `n`. `pathBytes` is Buffer.byteLength(n.path). */
export function snapshotNodeSize(n: SnapshotNodeFields, pathBytes: number): number {
  let size = 0;
  if (pathBytes > 0) size += 1 + varintSize(pathBytes) + pathBytes;
  if (n.data.length > 0) size += 1 + varintSize(n.data.length) + n.data.length;
  if (n.aclRef !== 0) size += 1 + int32Size(n.aclRef);
  if (n.czxid !== 0n && n.czxid !== 0) size += 1 + int64Size(n.czxid);
  if (n.mzxid !== 0n && n.mzxid !== 0) size += 1 + int64Size(n.mzxid);
  if (n.ctime !== 0n && n.ctime !== 0) size += 1 + int64Size(n.ctime);
  if (n.mtime !== 0n && n.mtime !== 0) size += 1 + int64Size(n.mtime);
  if (n.version !== 0) size += 1 + int32Size(n.version);
  if (n.cversion !== 0) size += 1 + int32Size(n.cversion);
  if (n.aversion !== 0) size += 1 + int32Size(n.aversion);
  if (n.ephemeralOwner !== 0n && n.ephemeralOwner !== 0) size += 1 + int64Size(n.ephemeralOwner);
  if (n.pzxid !== 0n && n.pzxid !== 0) size += 1 + int64Size(n.pzxid);
  if (n.dataNull !== undefined) size += 2;
  return size;
}

/** Writes `n` at `at` (room for snapshotNodeSize bytes is the caller's); returns the end offset. */
export function writeSnapshotNode(buf: Buffer, at: number, n: SnapshotNodeFields, pathBytes: number): number {
  if (pathBytes > 0) {
    buf[at++] = (1 << 3) | 2;
    at = writeVarint(buf, at, pathBytes);
    at += buf.write(n.path, at, pathBytes, "utf8");
  }
  if (n.data.length > 0) {
    buf[at++] = (2 << 3) | 2;
    at = writeVarint(buf, at, n.data.length);
    if (typeof n.data === "string") buf.write(n.data, at, n.data.length, "latin1");
    else buf.set(n.data, at);
    at += n.data.length;
  }
  at = int32Field(buf, at, 3, n.aclRef);
  at = int64Field(buf, at, 4, n.czxid);
  at = int64Field(buf, at, 5, n.mzxid);
  at = int64Field(buf, at, 6, n.ctime);
  at = int64Field(buf, at, 7, n.mtime);
  at = int32Field(buf, at, 8, n.version);
  at = int32Field(buf, at, 9, n.cversion);
  at = int32Field(buf, at, 10, n.aversion);
  at = int64Field(buf, at, 11, n.ephemeralOwner);
  at = int64Field(buf, at, 12, n.pzxid);
  if (n.dataNull !== undefined) {
    buf[at++] = 13 << 3;
    buf[at++] = n.dataNull ? 1 : 0;
  }
  return at;
}
