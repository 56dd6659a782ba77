// Fuzz target log-segment: a log segment through scanSegment, then each record through the Txn
// decoder and recovery's zxid cross-check. Byte 0 is a flag: bit 0 recomputes the frames' CRCs
// first, so mutations also reach what the CRC guards (lengths, zxids, payloads).
import { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { FRAME_HEADER_BYTES, LOG_HEADER_BYTES } from "../../../server/persistence/log-format.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";
import { isProtobufDecodeError } from "./support/request-checks.js";
import { repairCrcs, segmentBytes } from "./support/storage-files.js";

/** scanSegment documents no exception: damage is its SegmentEnd. Its records must make sense. */
export function fuzzLogSegment(input: Buffer): void {
  if (input.length === 0) return;
  const bytes = Buffer.from(input.subarray(1));
  if ((input[0]! & 1) === 1) repairCrcs(bytes, LOG_HEADER_BYTES, FRAME_HEADER_BYTES);
  const scan = scanSegment(bytes, 0);
  let prev = 0;
  let at = LOG_HEADER_BYTES;
  for (const r of scan.records) {
    if (r.offset !== at || r.zxid <= prev || !Number.isSafeInteger(r.zxid)) {
      throw new Error(`record at ${r.offset} (zxid ${r.zxid}) after ${prev}: out of order or out of place`);
    }
    prev = r.zxid;
    at = r.offset + FRAME_HEADER_BYTES + r.payload.length;
    try {
      const txn = Txn.decode(r.payload);
      void (txn.zxid === BigInt(r.zxid)); // recovery's cross-check: a mismatch is reported damage
    } catch (e) {
      if (!isProtobufDecodeError(e)) throw e;
    }
  }
  const end = scan.end;
  if (end.offset < 0 || end.offset > bytes.length)
    throw new Error(`end offset ${end.offset} outside the file`);
  if (scan.records.length > 0 && end.kind === "clean" && end.offset !== at) {
    throw new Error(`clean end at ${end.offset}, but the last record ends at ${at}`);
  }
}

export const logSegment: FuzzTarget = {
  name: "log-segment",
  seeds: () => {
    const { bytes } = segmentBytes(3);
    return [Buffer.concat([Buffer.from([0]), bytes]), Buffer.concat([Buffer.from([1]), bytes])];
  },
  fuzz: fuzzLogSegment,
};
