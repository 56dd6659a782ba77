// Valid files written by the real writers (SegmentWriter, writeSnapshot) on the in-memory disk.
import { Txn } from "../../../../server/gen/paddock/internal/v1/txn.js";
import { crc32c } from "../../../../server/persistence/crc32c.js";
import { packFrames } from "../../../../server/persistence/log-format.js";
import { SegmentWriter } from "../../../../server/persistence/segment-writer.js";
import { type SnapshotInput, writeSnapshot } from "../../../../server/persistence/snapshot.js";
import { makeZxid } from "../../../../server/util/zxid.js";
import { MemFiles } from "../../../unit/persistence/mem-files.js";

export const SEGMENT_DIR = "/fuzz/log";
export const SNAPSHOT_DIR = "/fuzz/snap";
export const z = (counter: number): number => makeZxid(1, counter);

export function sampleTxn(zxid: number): Txn {
  return {
    zxid: BigInt(zxid),
    sessionId: 0x1234_5678_9abc_def0n,
    cxid: zxid % 1000,
    origin: 0,
    originRef: 0,
    time: 1_700_000_000_000n + BigInt(zxid),
    body: {
      $case: "setData",
      value: { path: `/n${zxid % 100}`, data: Buffer.alloc(3, zxid & 0xff), version: 1 },
    },
  };
}

/** A segment of `count` setData records (zxids 1:1..1:count) in two batches, no preallocated tail. */
export function segmentBytes(count = 4): { files: MemFiles; name: string; bytes: Buffer; txns: Txn[] } {
  const files = new MemFiles();
  files.mkdir(SEGMENT_DIR);
  const writer = new SegmentWriter({
    dir: SEGMENT_DIR,
    forceSync: true,
    preAllocBytes: 0,
    segmentBytesMax: 1 << 20,
    zeroAheadBytes: 0,
    files,
  });
  const txns = Array.from({ length: count }, (_, i) => sampleTxn(z(i + 1)));
  const half = Math.ceil(count / 2);
  for (const part of [txns.slice(0, half), txns.slice(half)]) {
    if (part.length === 0) continue;
    writer.write(
      packFrames(
        part.map((t) => Number(t.zxid)),
        part.map((t) => Txn.encode(t).finish()),
      ),
    );
  }
  writer.close();
  const name = files.readdir(SEGMENT_DIR)[0]!;
  return { files, name, bytes: Buffer.from(files.readFile(`${SEGMENT_DIR}/${name}`)), txns };
}

/** A snapshot at 1:7 of /a and /a/b, one ACL and one session. */
export function snapshotInput(): SnapshotInput {
  const node = (path: string, i: number) => ({
    path,
    data: Buffer.from(`d${i}`),
    aclRef: 0,
    czxid: BigInt(z(i + 1)),
    mzxid: BigInt(z(i + 2)),
    ctime: 1_700_000_000_000n,
    mtime: 1_700_000_000_500n,
    version: i,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: i === 1 ? 0x1234n : 0n,
    pzxid: BigInt(z(i + 3)),
  });
  return {
    zxid: z(7),
    digest: 0xfedcn,
    acls: [{ ref: 0, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }] }],
    nodes: [node("/a", 0), node("/a/b", 1)],
    sessions: [{ sessionId: 0x1234n, timeoutMs: 30_000, password: Buffer.alloc(16, 7) }],
    nodeCount: 2,
  };
}

/** The snapshot as writeSnapshot writes it (temp file, fsync, rename) on the in-memory disk. */
export async function snapshotFile(): Promise<{ files: MemFiles; file: string; bytes: Buffer }> {
  const files = new MemFiles();
  const file = await writeSnapshot(SNAPSHOT_DIR, snapshotInput(), files);
  return { files, file, bytes: Buffer.from(files.readFile(file)) };
}

/**
 * Recomputes the CRC of every frame that fits, walking [length u32 LE][crc u32 LE] headers from
 * `from`, the CRC covering [crcFrom, end) of each: so mutations reach what lies behind the CRC.
 */
export function repairCrcs(bytes: Buffer, from: number, headerBytes: number): void {
  let at = from;
  while (at + headerBytes <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    const end = at + headerBytes + length;
    if (end > bytes.length) return;
    bytes.writeUInt32LE(crc32c(bytes, 0, at + 8, end), at + 4);
    at = end;
  }
}
