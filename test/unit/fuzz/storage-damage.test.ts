// Every single-byte change and every cut of a small valid log segment and snapshot, written by the
// real writers: the readers return a valid prefix or report damage, never other records, never
// another exception (exhaustive, so deterministic; docs/FUZZING.md).
import { describe, expect, it } from "vitest";
import { recover } from "../../../server/persistence/recovery.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { parseSnapshot } from "../../../server/persistence/snapshot.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { SEGMENT_DIR, segmentBytes, snapshotFile } from "../../fuzz/targets/support/storage-files.js";
import { MemFiles } from "../persistence/mem-files.js";

/** XOR masks tried at every byte: the low bit, the high bit, all bits. */
const MASKS = [0x01, 0x80, 0xff];

interface Variant {
  what: string;
  bytes: Buffer;
  /** The first byte that differs from the original (or is missing). */
  from: number;
  cut: boolean;
}

function variants(bytes: Buffer): Variant[] {
  const out: Variant[] = [];
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of MASKS) {
      const b = Buffer.from(bytes);
      b[i] = b[i]! ^ mask;
      out.push({ what: `byte ${i} ^ 0x${mask.toString(16)}`, bytes: b, from: i, cut: false });
    }
  }
  for (let cut = 0; cut < bytes.length; cut++) {
    out.push({ what: `cut at ${cut}`, bytes: bytes.subarray(0, cut), from: cut, cut: true });
  }
  return out;
}

describe("a damaged log segment", () => {
  const { name, bytes, txns } = segmentBytes(4);
  const original = scanSegment(bytes, 0);

  it("is read as the records before the damage, then a torn or corrupt end", () => {
    expect(original.records).toHaveLength(4);
    expect(original.end.kind).toBe("clean");
    for (const v of variants(bytes)) {
      const scan = scanSegment(v.bytes, 0);
      // Only records wholly before the damaged byte may come back, each exactly as written.
      const intact = original.records.filter((r) => r.offset + 16 + r.payload.length <= v.from);
      expect(scan.records.length, v.what).toBeLessThanOrEqual(intact.length);
      scan.records.forEach((r, i) => {
        expect(r.zxid, v.what).toBe(original.records[i]!.zxid);
        expect(Buffer.from(r.payload).equals(Buffer.from(original.records[i]!.payload)), v.what).toBe(true);
      });
      // Lost records show as damage, except a cut right after a record: a shorter log, not a damaged one.
      const atBoundary =
        v.cut && (v.from === 16 || original.records.some((r) => r.offset + 16 + r.payload.length === v.from));
      if (scan.records.length < original.records.length && !atBoundary) {
        expect(scan.end.kind, v.what).not.toBe("clean");
      }
    }
  });

  it("recovers a prefix of the transactions or throws StorageCorruptionError, and nothing else", async () => {
    for (const v of variants(bytes)) {
      const files = new MemFiles();
      files.mkdir(SEGMENT_DIR);
      files.mkdir("/fuzz/snap");
      const fd = files.open(`${SEGMENT_DIR}/${name}`, "w");
      files.write(fd, v.bytes, 0, v.bytes.length, 0);
      files.close(fd);
      try {
        const recovered = await recover({ dataDir: "/fuzz/snap", dataLogDir: SEGMENT_DIR, files });
        expect(recovered.txns, v.what).toEqual(txns.slice(0, recovered.txns.length));
        if (recovered.txns.length < txns.length && !v.cut)
          expect(recovered.truncatedTail, v.what).toBeDefined();
      } catch (e) {
        expect(e, v.what).toBeInstanceOf(StorageCorruptionError);
      }
    }
  });
});

describe("a damaged snapshot", () => {
  it("throws StorageCorruptionError naming the file for every changed byte and every cut", async () => {
    const { file, bytes } = await snapshotFile();
    const loaded = parseSnapshot(file, bytes);
    expect(loaded.nodes.map((n) => n.path)).toEqual(["/a", "/a/b"]);
    for (const v of variants(bytes)) {
      let error: unknown;
      try {
        parseSnapshot(file, v.bytes);
      } catch (e) {
        error = e;
      }
      expect(error, v.what).toBeInstanceOf(StorageCorruptionError);
      expect((error as StorageCorruptionError).file, v.what).toBe(file);
    }
  });
});
