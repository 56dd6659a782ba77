import { crc32c } from "./crc32c.js";
import {
  encodeLogHeader,
  FRAME_HEADER_BYTES,
  LOG_FORMAT_VERSION,
  LOG_HEADER_BYTES,
  LOG_MAGIC,
  RECORD_BYTES_MAX,
  readU64,
} from "./log-format.js";

export interface ScannedRecord {
  zxid: number;
  /** Byte offset of the frame in the segment. */
  offset: number;
  payload: Uint8Array;
}

/**
 * How a segment's data ends: "clean" (zeros or end of file after the last frame), "torn" (an
 * incomplete or failing frame with nothing valid after it: a write cut short by a crash) or
 * "corrupt" (a failing frame followed by valid-looking frames, or a bad file header: damage that
 * truncation would turn into silent loss of acknowledged records).
 */
export type SegmentEnd =
  | { kind: "clean"; offset: number }
  | { kind: "torn"; offset: number; reason: string }
  | { kind: "corrupt"; offset: number; reason: string };

export interface ScannedSegment {
  records: ScannedRecord[];
  end: SegmentEnd;
}

function allZero(bytes: Uint8Array, from: number, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function lastNonZero(bytes: Uint8Array, from: number): number {
  for (let i = bytes.length - 1; i >= from; i--) if (bytes[i] !== 0) return i;
  return -1;
}

/**
 * A frame that checks out (fits, zxid after `prevZxid`, CRC matches) starting anywhere after
 * `from`. Finding one means the damage before it is not a torn tail. Candidates are filtered on
 * length and zxid before any CRC is computed, so the scan is cheap on garbage.
 */
export function findLaterValidFrame(bytes: Uint8Array, from: number, prevZxid: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const last = lastNonZero(bytes, from);
  for (let p = from; p <= last && p + FRAME_HEADER_BYTES <= bytes.length; p++) {
    const length = view.getUint32(p, true);
    if (length > RECORD_BYTES_MAX || p + FRAME_HEADER_BYTES + length > bytes.length) continue;
    const zxid = readU64(view, p + 8);
    if (zxid <= prevZxid || zxid > Number.MAX_SAFE_INTEGER) continue;
    if (crc32c(bytes, 0, p + 8, p + FRAME_HEADER_BYTES + length) === view.getUint32(p + 4, true)) return p;
  }
  return undefined;
}

function damaged(bytes: Uint8Array, offset: number, prevZxid: number, reason: string): SegmentEnd {
  const later = findLaterValidFrame(bytes, offset + 1, prevZxid);
  if (later !== undefined) {
    return { kind: "corrupt", offset, reason: `${reason}; a valid record follows at offset ${later}` };
  }
  return { kind: "torn", offset, reason };
}

/**
 * A segment whose header declares a newer version but whose first record checks (CRC) as today's
 * format: the version field is damaged, not new.
 */
export function segmentReadsAsCurrent(bytes: Uint8Array): boolean {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint32(4, LOG_FORMAT_VERSION, true);
  return scanSegment(copy, 0).records.length > 0;
}

/** Reads every valid frame of a segment, in order, and classifies how its data ends. */
export function scanSegment(bytes: Uint8Array, prevZxid: number): ScannedSegment {
  const records: ScannedRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < LOG_HEADER_BYTES) {
    const expected = encodeLogHeader();
    if (bytes.every((b, i) => b === 0 || b === expected[i])) {
      return { records, end: { kind: "torn", offset: 0, reason: "segment header cut short" } };
    }
    return { records, end: { kind: "corrupt", offset: 0, reason: "not a log segment (short, bad header)" } };
  }
  if (allZero(bytes, 0, LOG_HEADER_BYTES)) {
    if (allZero(bytes, 0)) {
      return { records, end: { kind: "torn", offset: 0, reason: "segment header never written" } };
    }
    return { records, end: damaged(bytes, 0, prevZxid, "segment header is zeros") };
  }
  if (view.getUint32(0, true) !== LOG_MAGIC) {
    return { records, end: { kind: "corrupt", offset: 0, reason: "not a log segment (bad magic)" } };
  }
  if (view.getUint32(4, true) !== LOG_FORMAT_VERSION) {
    const version = view.getUint32(4, true);
    return { records, end: { kind: "corrupt", offset: 4, reason: `unknown log format version ${version}` } };
  }
  if (view.getUint32(8, true) !== 0 || view.getUint32(12, true) !== 0) {
    return { records, end: { kind: "corrupt", offset: 8, reason: "reserved header bytes not zero" } };
  }
  let at = LOG_HEADER_BYTES;
  let prev = prevZxid;
  for (;;) {
    if (at + FRAME_HEADER_BYTES > bytes.length) {
      if (allZero(bytes, at)) return { records, end: { kind: "clean", offset: at } };
      return { records, end: damaged(bytes, at, prev, "frame header cut short") };
    }
    if (allZero(bytes, at, at + FRAME_HEADER_BYTES)) {
      if (allZero(bytes, at)) return { records, end: { kind: "clean", offset: at } };
      return { records, end: damaged(bytes, at, prev, "zeros followed by stray bytes") };
    }
    const length = view.getUint32(at, true);
    const end = at + FRAME_HEADER_BYTES + length;
    if (length > RECORD_BYTES_MAX || end > bytes.length) {
      return { records, end: damaged(bytes, at, prev, `record length ${length} runs past the end`) };
    }
    if (crc32c(bytes, 0, at + 8, end) !== view.getUint32(at + 4, true)) {
      return { records, end: damaged(bytes, at, prev, "CRC mismatch") };
    }
    const zxid = readU64(view, at + 8);
    if (zxid > Number.MAX_SAFE_INTEGER) {
      // Past 2^53 the number is not the zxid on disk (readU64 rounds): never hand it on.
      const reason = `zxid 0x${zxid.toString(16)} is beyond 2^53, above any zxid this server writes`;
      return { records, end: { kind: "corrupt", offset: at, reason } };
    }
    if (zxid <= prev) {
      const reason = `zxid 0x${zxid.toString(16)} does not follow 0x${prev.toString(16)}`;
      return { records, end: { kind: "corrupt", offset: at, reason } };
    }
    records.push({ zxid, offset: at, payload: bytes.subarray(at + FRAME_HEADER_BYTES, end) });
    prev = zxid;
    at = end;
  }
}
