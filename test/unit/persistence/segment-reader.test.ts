import { describe, expect, it } from "vitest";
import {
  encodeLogHeader,
  FRAME_HEADER_BYTES,
  fillCrcs,
  LOG_HEADER_BYTES,
  packFrames,
  RECORD_BYTES_MAX,
} from "../../../server/persistence/log-format.js";
import { findLaterValidFrame, scanSegment } from "../../../server/persistence/segment-reader.js";
import { z } from "./log-fixtures.js";

// How scanSegment classifies each way a segment can end (found by mutation testing,
// docs/TESTING.md): the kind decides between truncating a torn tail and refusing to start, the
// offset is where recovery cuts, and the reason is what the operator reads.

const payload = (n: number, fill: number) => new Uint8Array(n).fill(fill);

/** Header, then one frame per zxid (payload of 8 bytes), then `tail`. */
function segment(zxids: number[], tail: number[] = []): { bytes: Uint8Array; offsets: number[] } {
  const frames = packFrames(
    zxids,
    zxids.map((zxid) => payload(8, zxid & 0xff)),
  );
  if (zxids.length > 0) fillCrcs(frames);
  const bytes = new Uint8Array(LOG_HEADER_BYTES + frames.length + tail.length);
  bytes.set(encodeLogHeader());
  bytes.set(frames, LOG_HEADER_BYTES);
  bytes.set(tail, LOG_HEADER_BYTES + frames.length);
  const offsets = zxids.map((_, i) => LOG_HEADER_BYTES + i * (FRAME_HEADER_BYTES + 8));
  return { bytes, offsets };
}

const FRAME = FRAME_HEADER_BYTES + 8;

describe("scanSegment: clean ends", () => {
  it("at the end of the file, or at a zero frame header with only zeros after it", () => {
    const { bytes, offsets } = segment([z(1), z(2)]);
    const scan = scanSegment(bytes, 0);
    expect(scan.records.map((r) => [r.zxid, r.offset])).toEqual([
      [z(1), offsets[0]],
      [z(2), offsets[1]],
    ]);
    expect([...scan.records[1]!.payload]).toEqual([...payload(8, 2)]);
    expect(scan.end).toEqual({ kind: "clean", offset: LOG_HEADER_BYTES + 2 * FRAME });
    const zeros = segment([z(1)], new Array(100).fill(0)).bytes;
    expect(scanSegment(zeros, 0).end).toEqual({ kind: "clean", offset: LOG_HEADER_BYTES + FRAME });
    // Fewer zero bytes than a frame header at the end: clean too.
    const few = segment([z(1)], new Array(5).fill(0)).bytes;
    expect(scanSegment(few, 0).end).toEqual({ kind: "clean", offset: LOG_HEADER_BYTES + FRAME });
    expect(scanSegment(encodeLogHeader(), 0)).toEqual({
      records: [],
      end: { kind: "clean", offset: LOG_HEADER_BYTES },
    });
  });
});

describe("scanSegment: the file header", () => {
  it("shorter than a header: torn if it is a prefix of one (or zeros), else corrupt", () => {
    expect(scanSegment(encodeLogHeader().subarray(0, 7), 0).end).toEqual({
      kind: "torn",
      offset: 0,
      reason: "segment header cut short",
    });
    expect(scanSegment(new Uint8Array(7), 0).end).toMatchObject({
      kind: "torn",
      reason: "segment header cut short",
    });
    expect(scanSegment(new Uint8Array([0x50, 0x44, 0x4b, 0x4c, 9]), 0).end).toEqual({
      kind: "corrupt",
      offset: 0,
      reason: "not a log segment (short, bad header)",
    });
  });

  it("all zeros: torn (never written); zeros then data: torn, or corrupt if a valid frame follows", () => {
    expect(scanSegment(new Uint8Array(4096), 0).end).toEqual({
      kind: "torn",
      offset: 0,
      reason: "segment header never written",
    });
    const { bytes, offsets } = segment([z(1)]);
    bytes.fill(0, 0, LOG_HEADER_BYTES);
    expect(scanSegment(bytes, 0).end).toEqual({
      kind: "corrupt",
      offset: 0,
      reason: `segment header is zeros; a valid record follows at offset ${offsets[0]}`,
    });
    const garbage = new Uint8Array(64);
    garbage[40] = 7;
    expect(scanSegment(garbage, 0).end).toEqual({
      kind: "torn",
      offset: 0,
      reason: "segment header is zeros",
    });
  });

  it("bad magic, unknown version, reserved bytes set: corrupt at the field", () => {
    const magic = segment([z(1)]).bytes;
    magic[0] = 0x51;
    expect(scanSegment(magic, 0)).toEqual({
      records: [],
      end: { kind: "corrupt", offset: 0, reason: "not a log segment (bad magic)" },
    });
    const version = segment([z(1)]).bytes;
    version[4] = 2;
    expect(scanSegment(version, 0).end).toEqual({
      kind: "corrupt",
      offset: 4,
      reason: "unknown log format version 2",
    });
    for (const at of [8, 15]) {
      const reserved = segment([z(1)]).bytes;
      reserved[at] = 1;
      expect(scanSegment(reserved, 0).end).toEqual({
        kind: "corrupt",
        offset: 8,
        reason: "reserved header bytes not zero",
      });
    }
  });
});

describe("scanSegment: damaged frames", () => {
  const afterOne = LOG_HEADER_BYTES + FRAME;

  it("a frame header cut short, zeros then stray bytes, a length past the end: torn where it starts", () => {
    const cut = segment([z(1)], [5, 0, 0, 0, 1]).bytes;
    expect(scanSegment(cut, 0)).toMatchObject({
      records: [{ zxid: z(1) }],
      end: { kind: "torn", offset: afterOne, reason: "frame header cut short" },
    });
    const stray = segment([z(1)], [...new Array(20).fill(0), 9]).bytes;
    expect(scanSegment(stray, 0).end).toEqual({
      kind: "torn",
      offset: afterOne,
      reason: "zeros followed by stray bytes",
    });
    const long = segment([z(1)], [100, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).bytes;
    expect(scanSegment(long, 0).end).toEqual({
      kind: "torn",
      offset: afterOne,
      reason: "record length 100 runs past the end",
    });
    // The length is checked against the record bound before the file's end.
    const huge = segment([z(1)], [0, 0, 0, 0, 1]).bytes;
    const big = new Uint8Array(huge.length + RECORD_BYTES_MAX + FRAME_HEADER_BYTES + 1);
    big.set(huge);
    new DataView(big.buffer).setUint32(afterOne, RECORD_BYTES_MAX + 1, true);
    expect(scanSegment(big, 0).end).toMatchObject({
      kind: "torn",
      offset: afterOne,
      reason: `record length ${RECORD_BYTES_MAX + 1} runs past the end`,
    });
  });

  it("a CRC mismatch is torn at the end, corrupt when a valid frame follows", () => {
    const { bytes, offsets } = segment([z(1), z(2), z(3)]);
    const last = bytes.slice();
    last[offsets[2]! + FRAME_HEADER_BYTES]! ^= 1;
    expect(scanSegment(last, 0)).toMatchObject({
      records: [{ zxid: z(1) }, { zxid: z(2) }],
      end: { kind: "torn", offset: offsets[2], reason: "CRC mismatch" },
    });
    const middle = bytes.slice();
    middle[offsets[1]! + 8]! ^= 1; // the zxid is covered by the CRC
    expect(scanSegment(middle, 0).end).toEqual({
      kind: "corrupt",
      offset: offsets[1],
      reason: `CRC mismatch; a valid record follows at offset ${offsets[2]}`,
    });
  });

  it("a zxid that does not follow the previous one (or prevZxid) is corrupt", () => {
    const { bytes, offsets } = segment([z(2), z(1)]);
    expect(scanSegment(bytes, 0)).toMatchObject({
      records: [{ zxid: z(2) }],
      end: { kind: "corrupt", offset: offsets[1], reason: "zxid 0x100000001 does not follow 0x100000002" },
    });
    const same = segment([z(2)]).bytes;
    expect(scanSegment(same, z(2)).end).toEqual({
      kind: "corrupt",
      offset: LOG_HEADER_BYTES,
      reason: "zxid 0x100000002 does not follow 0x100000002",
    });
    expect(scanSegment(same, z(1)).records).toHaveLength(1);
  });
});

describe("findLaterValidFrame", () => {
  it("the first offset from `from` where a whole frame checks out with a zxid above prevZxid", () => {
    const { bytes, offsets } = segment([z(1), z(2)]);
    expect(findLaterValidFrame(bytes, 0, 0)).toBe(offsets[0]);
    expect(findLaterValidFrame(bytes, offsets[0]! + 1, 0)).toBe(offsets[1]);
    expect(findLaterValidFrame(bytes, offsets[0]!, z(1))).toBe(offsets[1]);
    expect(findLaterValidFrame(bytes, 0, z(2))).toBeUndefined();
    expect(findLaterValidFrame(bytes, offsets[1]! + 1, 0)).toBeUndefined();
    // A frame cut by the end of the buffer does not count.
    expect(findLaterValidFrame(bytes.subarray(0, bytes.length - 1), offsets[1]!, 0)).toBeUndefined();
  });
});
