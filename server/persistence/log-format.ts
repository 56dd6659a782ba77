import { assert } from "../util/assert.js";
import { crc32c } from "./crc32c.js";

/**
 * On-disk layout of a log segment `log.<hex first zxid>`:
 *   file header (16 bytes): magic "PDKL", format version u32 LE, 8 reserved zero bytes
 *   frames: [payload length u32 LE][crc32c u32 LE][zxid u64 LE][payload]
 * The CRC covers the zxid and the payload, so a damaged zxid is caught too. The segment is
 * preallocated with zeros, so a frame header of 16 zero bytes marks the end of the data.
 */
export const LOG_MAGIC = 0x4c4b4450; // "PDKL" read as u32 LE
export const LOG_FORMAT_VERSION = 1;
export const LOG_HEADER_BYTES = 16;
export const FRAME_HEADER_BYTES = 16;
/** A record larger than this is damage, not data (a multi is bounded by jute.maxbuffer, 1 MiB). */
export const RECORD_BYTES_MAX = 16 * 1024 * 1024;

const LOG_PREFIX = "log.";

export function segmentName(firstZxid: number): string {
  return LOG_PREFIX + firstZxid.toString(16);
}

/** The first zxid of a segment file name, or undefined if the name is not a segment. */
export function parseSegmentName(name: string): number | undefined {
  if (!name.startsWith(LOG_PREFIX)) return undefined;
  const hex = name.slice(LOG_PREFIX.length);
  if (!/^[0-9a-f]{1,14}$/.test(hex)) return undefined;
  return Number.parseInt(hex, 16);
}

/** Segment names in `names`, sorted by first zxid. */
export function sortedSegments(names: string[]): { name: string; firstZxid: number }[] {
  const out: { name: string; firstZxid: number }[] = [];
  for (const name of names) {
    const firstZxid = parseSegmentName(name);
    if (firstZxid !== undefined) out.push({ name, firstZxid });
  }
  return out.sort((a, b) => a.firstZxid - b.firstZxid);
}

export function encodeLogHeader(): Uint8Array {
  const out = new Uint8Array(LOG_HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, LOG_MAGIC, true);
  view.setUint32(4, LOG_FORMAT_VERSION, true);
  return out;
}

/** The format version a segment's header declares; 0 when it has no valid header (damage, not a version). */
export function segmentFormatVersion(bytes: Uint8Array): number {
  if (bytes.length < LOG_HEADER_BYTES) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(0, true) === LOG_MAGIC ? view.getUint32(4, true) : 0;
}

export function readU64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 0x1_0000_0000;
}

export function writeU64(view: DataView, offset: number, value: number): void {
  assert(Number.isSafeInteger(value) && value >= 0, `u64 out of range: ${value}`);
  view.setUint32(offset, value % 0x1_0000_0000, true);
  view.setUint32(offset + 4, Math.floor(value / 0x1_0000_0000), true);
}

/**
 * Packs records into one buffer of frames with the CRC field left 0; `fillCrcs` completes them
 * where the bytes are written (the worker), which keeps checksum work off the main thread.
 */
export function packFrames(zxids: readonly number[], payloads: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of payloads) total += FRAME_HEADER_BYTES + p.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]!;
    view.setUint32(at, p.length, true);
    writeU64(view, at + 8, zxids[i]!);
    out.set(p, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + p.length;
  }
  return out;
}

/** Fills the CRC of every frame in a packed buffer; returns the first and last zxid. */
export function fillCrcs(frames: Uint8Array): { firstZxid: number; lastZxid: number; count: number } {
  const view = new DataView(frames.buffer, frames.byteOffset, frames.byteLength);
  let at = 0;
  let firstZxid = -1;
  let lastZxid = -1;
  let count = 0;
  while (at < frames.length) {
    const length = view.getUint32(at, true);
    const end = at + FRAME_HEADER_BYTES + length;
    assert(end <= frames.length, "packed frames overrun their buffer");
    view.setUint32(at + 4, crc32c(frames, 0, at + 8, end), true);
    lastZxid = readU64(view, at + 8);
    if (firstZxid < 0) firstZxid = lastZxid;
    count++;
    at = end;
  }
  return { firstZxid, lastZxid, count };
}
