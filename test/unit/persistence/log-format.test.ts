import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32c } from "../../../server/persistence/crc32c.js";
import {
  encodeLogHeader,
  fillCrcs,
  packFrames,
  parseSegmentName,
  readU64,
  segmentName,
  sortedSegments,
  writeU64,
} from "../../../server/persistence/log-format.js";
import { SegmentWriter } from "../../../server/persistence/segment-writer.js";
import { AssertionError } from "../../../server/util/assert.js";
import { LOG_DIR, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

// The on-disk layout byte by byte, and SegmentWriter's file handling (found by mutation testing,
// docs/TESTING.md).

describe("segment names", () => {
  it("log.<lowercase hex of the first zxid>; anything else is not a segment", () => {
    expect(segmentName(z(1))).toBe("log.100000001");
    expect(parseSegmentName("log.100000001")).toBe(z(1));
    expect(parseSegmentName("log.0")).toBe(0);
    expect(parseSegmentName("log.1fffffffffffff")).toBe(2 ** 53 - 1);
    for (const name of [
      "log.",
      "logx1a",
      "log.1A",
      "log.123456789abcdef",
      "log.1.tmp",
      "xlog.1",
      "snap.1",
      "log.g",
    ]) {
      expect(parseSegmentName(name), name).toBeUndefined();
    }
  });

  it("sortedSegments keeps segments only, in zxid order (not name order)", () => {
    expect(sortedSegments(["log.10", "snap.1", "log.2", "log.a", "log.x"])).toEqual([
      { name: "log.2", firstZxid: 2 },
      { name: "log.a", firstZxid: 10 },
      { name: "log.10", firstZxid: 16 },
    ]);
  });
});

describe("file header and frames", () => {
  it("header: magic PDKL, format version 1 (LE), 8 zero bytes", () => {
    expect([...encodeLogHeader()]).toEqual([0x50, 0x44, 0x4b, 0x4c, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("u64 LE round trip up to 2^53 - 1; writeU64 refuses what it cannot write exactly", () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const value of [0, 5, 2 ** 32 - 1, 2 ** 32, z(7, 3), 2 ** 53 - 1]) {
      writeU64(view, 0, value);
      expect(readU64(view, 0)).toBe(value);
    }
    writeU64(view, 0, z(2, 1));
    expect([...new Uint8Array(view.buffer)]).toEqual([2, 0, 0, 0, 1, 0, 0, 0]);
    for (const bad of [-1, 2 ** 53, 1.5]) {
      expect(() => writeU64(view, 0, bad)).toThrow(new AssertionError(`u64 out of range: ${bad}`));
    }
  });

  it("packFrames lays out [length][crc 0][zxid][payload]; fillCrcs fills each CRC over zxid and payload", () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([9]);
    const frames = packFrames([z(1), z(2)], [a, b]);
    expect(frames.length).toBe(16 + 3 + 16 + 1);
    const view = new DataView(frames.buffer);
    expect([view.getUint32(0, true), view.getUint32(4, true), readU64(view, 8)]).toEqual([3, 0, z(1)]);
    expect([...frames.subarray(16, 19)]).toEqual([1, 2, 3]);
    expect([view.getUint32(19, true), readU64(view, 27), frames[35]]).toEqual([1, z(2), 9]);
    expect(fillCrcs(frames)).toEqual({ firstZxid: z(1), lastZxid: z(2), count: 2 });
    expect(view.getUint32(4, true)).toBe(crc32c(frames, 0, 8, 19));
    expect(view.getUint32(23, true)).toBe(crc32c(frames, 0, 27, 36));
    expect(fillCrcs(new Uint8Array(0))).toEqual({ firstZxid: -1, lastZxid: -1, count: 0 });
    expect(() => fillCrcs(frames.subarray(0, 35))).toThrow("packed frames overrun their buffer");
  });
});

describe("SegmentWriter", () => {
  const setup = (over: Partial<ConstructorParameters<typeof SegmentWriter>[0]> = {}) => {
    const files = new MemFiles();
    files.mkdir(LOG_DIR);
    const writer = new SegmentWriter({
      dir: LOG_DIR,
      forceSync: true,
      preAllocBytes: 0,
      segmentBytesMax: 1 << 20,
      zeroAheadBytes: 0,
      files,
      ...over,
    });
    return { files, writer };
  };
  const batch = (...counters: number[]) =>
    packFrames(
      counters.map((c) => z(c)),
      counters.map((c) => record(z(c), 100)),
    );
  const seg = (c: number) => join(LOG_DIR, segmentName(z(c)));

  it("refuses options out of range and an empty batch", () => {
    expect(() => setup({ preAllocBytes: -1 })).toThrow("preAllocBytes must be >= 0");
    expect(() => setup({ zeroAheadBytes: -1 })).toThrow("zeroAheadBytes must be >= 0");
    expect(() => setup({ segmentBytesMax: 16 })).toThrow("segmentBytesMax too small");
    expect(() => setup({ segmentBytesMax: 17 })).not.toThrow();
    expect(() => setup().writer.write(new Uint8Array(0))).toThrow("empty batch");
  });

  it("a new segment: created exclusively, header written, directory synced; rolls once segmentBytesMax is reached", () => {
    const { files, writer } = setup({ segmentBytesMax: 400 });
    expect(writer.write(batch(1, 2))).toEqual({ firstZxid: z(1), lastZxid: z(2), count: 2 });
    expect(files.journal).toEqual([
      `open ${seg(1)}`,
      `write ${seg(1)}`,
      `fsyncDir ${LOG_DIR}`,
      `write ${seg(1)}`,
    ]);
    const first = files.stat(seg(1))!.size;
    expect(first).toBe(16 + batch(1, 2).length);
    // Under 400 bytes so far: the next batch goes into the same segment, even if it ends past 400.
    expect(first).toBeLessThan(400);
    writer.write(batch(3, 4, 5));
    expect(files.readdir(LOG_DIR)).toEqual([segmentName(z(1))]);
    files.journal.length = 0;
    writer.write(batch(6));
    // The old segment is synced as it is closed, then the new one is created.
    expect(files.journal).toEqual([
      `fdatasync ${seg(1)}`,
      `open ${seg(6)}`,
      `write ${seg(6)}`,
      `fsyncDir ${LOG_DIR}`,
      `write ${seg(6)}`,
    ]);
    expect(files.readdir(LOG_DIR).sort()).toEqual([segmentName(z(1)), segmentName(z(6))]);
  });

  it("preallocates in preAllocBytes steps, only when the data would pass the allocated length", () => {
    const { files, writer } = setup({ preAllocBytes: 256 });
    writer.write(batch(1));
    expect(files.stat(seg(1))!.size).toBe(256);
    writer.write(batch(2, 3, 4, 5));
    // 16 + 5 frames of 162 bytes = 826: three more steps, in one ftruncate.
    expect(files.stat(seg(1))!.size).toBe(1024);
    expect(files.journal.filter((op) => op.startsWith("ftruncate"))).toHaveLength(2);
    const none = setup();
    none.writer.write(batch(1));
    expect(none.files.journal.some((op) => op.startsWith("ftruncate"))).toBe(false);
  });

  it("sync: fdatasync only with forceSync and an open segment; zeroAhead never writes past the allocation", () => {
    const lazy = setup({ forceSync: false });
    lazy.writer.write(batch(1));
    lazy.writer.sync();
    expect(lazy.files.journal.some((op) => op.startsWith("fdatasync"))).toBe(false);
    const { files, writer } = setup({ preAllocBytes: 256, zeroAheadBytes: 1024 });
    writer.sync();
    writer.zeroAhead();
    expect(files.journal).toEqual([]);
    writer.write(batch(1));
    files.journal.length = 0;
    // Records end at 178; the allocation at 256: zeros up to 256 once, then nothing more to do.
    writer.zeroAhead();
    writer.zeroAhead();
    expect(files.journal).toEqual([`write ${seg(1)}`, `fdatasync ${seg(1)}`]);
    expect(files.stat(seg(1))!.size).toBe(256);
  });
});
