import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOG_HEADER_BYTES, packFrames, segmentName } from "../../../server/persistence/log-format.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { SegmentWriter } from "../../../server/persistence/segment-writer.js";
import { LOG_DIR, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/** MemFiles that also notes each write's range and whether it carried only zeros. */
class RecordingFiles extends MemFiles {
  readonly writes: { from: number; to: number; zeros: boolean }[] = [];
  override write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const zeros = buffer.subarray(offset, offset + length).every((b) => b === 0);
    this.writes.push({ from: position, to: position + length, zeros });
    return super.write(fd, buffer, offset, length, position);
  }
}

const PREALLOC = 8192;
const AHEAD = 1024;

function setup() {
  const files = new RecordingFiles();
  files.mkdir(LOG_DIR);
  const writer = new SegmentWriter({
    dir: LOG_DIR,
    forceSync: true,
    preAllocBytes: PREALLOC,
    segmentBytesMax: 1 << 20,
    zeroAheadBytes: AHEAD,
    files,
  });
  return { files, writer };
}

describe("SegmentWriter.zeroAhead", () => {
  it("writes and syncs a chunk of zeros right after the records, then waits until half of it is used", () => {
    const { files, writer } = setup();
    let end = LOG_HEADER_BYTES;
    let c = 0;
    const batch = (): void => {
      c++;
      const frames = packFrames([z(c)], [record(z(c), 100)]);
      writer.write(frames);
      writer.sync();
      end += frames.length;
    };
    batch();
    const before = files.writes.length;
    const syncs = files.journal.filter((op) => op.startsWith("fdatasync")).length;
    writer.zeroAhead();
    expect(files.writes.slice(before)).toEqual([{ from: end, to: end + AHEAD, zeros: true }]);
    expect(files.journal.filter((op) => op.startsWith("fdatasync")).length).toBe(syncs + 1);
    let frontier = end + AHEAD;
    // Another call with more than half a chunk still ahead writes nothing.
    writer.zeroAhead();
    expect(files.writes.length).toBe(before + 1);
    // Records eat into the zeros; once less than half a chunk is left the next chunk follows on.
    while (frontier - end >= AHEAD / 2) {
      batch();
      const n = files.writes.length;
      writer.zeroAhead();
      if (frontier - end >= AHEAD / 2) expect(files.writes.length).toBe(n);
    }
    expect(files.writes[files.writes.length - 1]).toEqual({
      from: frontier,
      to: frontier + AHEAD,
      zeros: true,
    });
    frontier += AHEAD;
    // Zeros are never written below the end of the records, nor past the preallocated length.
    for (const w of files.writes.filter((x) => x.zeros && x.from >= LOG_HEADER_BYTES)) {
      expect(w.to).toBeLessThanOrEqual(PREALLOC);
    }
    const bytes = files.readFile(join(LOG_DIR, segmentName(z(1))));
    expect(bytes.length).toBe(PREALLOC);
    const scan = scanSegment(bytes, 0);
    expect(scan.records.map((r) => r.zxid)).toEqual(Array.from({ length: c }, (_, i) => z(i + 1)));
    expect(scan.end.kind).toBe("clean");
    expect(frontier).toBeLessThanOrEqual(PREALLOC);
  });

  it("stays inside the preallocated length, and does nothing before the first batch or without preallocation", () => {
    const { files, writer } = setup();
    writer.zeroAhead();
    expect(files.writes).toEqual([]);
    let end = LOG_HEADER_BYTES;
    for (let c = 1; end < 2.5 * PREALLOC; c++) {
      const frames = packFrames([z(c)], [record(z(c), 100)]);
      writer.write(frames);
      end += frames.length;
      const n = files.writes.length;
      writer.zeroAhead();
      const allocated = Math.ceil(end / PREALLOC) * PREALLOC;
      for (const w of files.writes.slice(n)) {
        expect(w.zeros).toBe(true);
        expect(w.from).toBeGreaterThanOrEqual(end);
        expect(w.to).toBeLessThanOrEqual(allocated);
      }
    }
    // Every preallocated step got its zeros: three steps' worth of chunks, none past the end.
    const zeroWrites = files.writes.filter((w) => w.zeros && w.from > LOG_HEADER_BYTES);
    expect(zeroWrites.length).toBeGreaterThanOrEqual((2 * PREALLOC) / AHEAD);

    const bare = new RecordingFiles();
    bare.mkdir(LOG_DIR);
    const unallocated = new SegmentWriter({
      dir: LOG_DIR,
      forceSync: true,
      preAllocBytes: 0,
      segmentBytesMax: 1 << 20,
      zeroAheadBytes: AHEAD,
      files: bare,
    });
    unallocated.write(packFrames([z(1)], [record(z(1), 100)]));
    const n = bare.writes.length;
    unallocated.zeroAhead();
    expect(bare.writes.length).toBe(n);
  });
});
