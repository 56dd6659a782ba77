import { join } from "node:path";
import { Txn } from "../gen/paddock/internal/v1/txn.js";
import { zxidEpoch, zxidFromWire, zxidHex } from "../util/zxid.js";
import { type FileLayer, nodeFiles } from "./file-layer.js";
import { FormatTooNewError } from "./format-version.js";
import { LOG_FORMAT_VERSION, LOG_HEADER_BYTES, segmentFormatVersion, sortedSegments } from "./log-format.js";
import { scanSegment, segmentReadsAsCurrent } from "./segment-reader.js";
import { type LoadedSnapshot, listSnapshots, readSnapshot } from "./snapshot.js";
import { StorageCorruptionError } from "./storage-error.js";

export interface DamageReport {
  file: string;
  offset: number;
  reason: string;
}

export interface Recovered {
  /** The snapshot to restore (DataTree.restore(acls, nodes, header.zxid)); none on a fresh server. */
  snapshot?: LoadedSnapshot;
  /** Records with zxid > the snapshot's, in order: replay them (idempotent after a fuzzy snapshot). */
  txns: Txn[];
  /** The last zxid in the log, or the snapshot's if the log holds nothing newer (0 when empty). */
  lastZxid: number;
  /** A torn tail that was cut off, or the damage cut off with truncateAtDamage. */
  truncatedTail?: DamageReport;
  /** Newer snapshots that failed their checks and were skipped because the log covers them. */
  damagedSnapshots: DamageReport[];
  /** Segment files deleted (empty after truncation, or beyond the damage with truncateAtDamage). */
  removedSegments: string[];
}

export interface RecoverOptions {
  dataDir: string;
  dataLogDir: string;
  /** Cut the log at the first damage (and drop what follows) instead of refusing to start. */
  truncateAtDamage?: boolean;
  files?: FileLayer;
}

function toReport(e: unknown): DamageReport | undefined {
  return e instanceof StorageCorruptionError
    ? { file: e.file, offset: e.offset, reason: e.reason }
    : undefined;
}

/**
 * Newest valid snapshot plus the log after it. A torn tail (the last write cut by a crash) is
 * truncated and reported. Damage before the tail, a missing segment within an epoch, or a damaged
 * newest snapshot the log does not cover is a StorageCorruptionError naming file and offset.
 */
export async function recover(options: RecoverOptions): Promise<Recovered> {
  const files = options.files ?? nodeFiles;
  const damagedSnapshots: DamageReport[] = [];
  let newestDamaged: { error: StorageCorruptionError; zxid: number } | undefined;
  let snapshot: LoadedSnapshot | undefined;
  for (const candidate of listSnapshots(options.dataDir, files)) {
    try {
      snapshot = await readSnapshot(candidate.file, files);
      break;
    } catch (e) {
      const report = toReport(e);
      if (report === undefined) throw e;
      damagedSnapshots.push(report);
      newestDamaged ??= { error: e as StorageCorruptionError, zxid: candidate.zxid };
    }
  }
  if (newestDamaged !== undefined && snapshot === undefined) throw newestDamaged.error;
  const snapZxid = snapshot === undefined ? 0 : zxidFromWire(snapshot.header.zxid);
  const log = readLog(files, options.dataLogDir, snapZxid, options.truncateAtDamage === true);
  const lastZxid = Math.max(snapZxid, log.lastZxid);
  if (newestDamaged !== undefined && lastZxid < newestDamaged.zxid) {
    const e = newestDamaged.error;
    throw new StorageCorruptionError(
      e.file,
      e.offset,
      `${e.reason}; the log ends at ${zxidHex(lastZxid)}, so the older snapshot cannot replace it`,
    );
  }
  return {
    ...(snapshot === undefined ? {} : { snapshot }),
    txns: log.txns,
    lastZxid,
    ...(log.truncatedTail === undefined ? {} : { truncatedTail: log.truncatedTail }),
    damagedSnapshots,
    removedSegments: log.removed,
  };
}

interface LogRead {
  txns: Txn[];
  lastZxid: number;
  truncatedTail?: DamageReport;
  removed: string[];
}

/** A gap within one epoch: counters are consecutive; a new epoch restarts them. */
function isGap(prev: number, next: number): boolean {
  return zxidEpoch(prev) === zxidEpoch(next) && next > prev + 1;
}

function readLog(files: FileLayer, dir: string, snapZxid: number, truncateAtDamage: boolean): LogRead {
  const all = sortedSegments(files.readdir(dir));
  // The newest segment starting at or before snapZxid+1 holds the first record to replay.
  let start = 0;
  for (let i = 0; i < all.length; i++) if (all[i]!.firstZxid <= snapZxid + 1) start = i;
  const segments = all.slice(start);
  const out: LogRead = { txns: [], lastZxid: 0, removed: [] };
  let prev = 0;

  const removeFrom = (index: number): void => {
    for (const s of segments.slice(index)) {
      files.unlink(join(dir, s.name));
      out.removed.push(join(dir, s.name));
    }
    files.fsyncDir(dir);
  };
  const cut = (index: number, offset: number, hasRecords: boolean): void => {
    const path = join(dir, segments[index]!.name);
    if (hasRecords) {
      const fd = files.open(path, "r+");
      try {
        files.ftruncate(fd, offset);
        files.fsync(fd);
      } finally {
        files.close(fd);
      }
      removeFrom(index + 1);
    } else {
      removeFrom(index);
    }
  };
  /** Damage at (segment, offset): a torn tail is cut; other damage throws unless truncateAtDamage. */
  const damage = (
    index: number,
    offset: number,
    reason: string,
    torn: boolean,
    hasRecords: boolean,
  ): void => {
    const file = join(dir, segments[index]!.name);
    if (!torn && !truncateAtDamage) throw new StorageCorruptionError(file, offset, reason);
    cut(index, offset, hasRecords);
    out.truncatedTail = { file, offset, reason };
  };

  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const path = join(dir, seg.name);
    const isLast = i === segments.length - 1;
    const bytes = files.readFile(path);
    // A newer build's segment is no damage to truncate: recovery stops naming it.
    const version = segmentFormatVersion(bytes);
    if (version > LOG_FORMAT_VERSION && !segmentReadsAsCurrent(bytes))
      throw new FormatTooNewError(path, "log segment", version, LOG_FORMAT_VERSION);
    const scan = scanSegment(bytes, prev);
    let stopped = false;
    for (let r = 0; r < scan.records.length; r++) {
      const rec = scan.records[r]!;
      const first = r === 0;
      if (first && rec.zxid !== seg.firstZxid) {
        damage(i, rec.offset, `first record ${zxidHex(rec.zxid)} does not match the file name`, false, false);
        stopped = true;
        break;
      }
      // Gaps matter at segment boundaries and where replay starts after the snapshot.
      if (rec.zxid > snapZxid && (first || prev <= snapZxid)) {
        const from = Math.max(prev, snapZxid);
        if (from > 0 && isGap(from, rec.zxid)) {
          const what = prev <= snapZxid ? `the snapshot at ${zxidHex(snapZxid)}` : zxidHex(prev);
          damage(i, rec.offset, `records missing between ${what} and ${zxidHex(rec.zxid)}`, false, r > 0);
          stopped = true;
          break;
        }
      }
      if (rec.zxid > snapZxid) {
        let t: Txn | undefined;
        try {
          t = Txn.decode(rec.payload);
        } catch {
          t = undefined;
        }
        if (t === undefined || t.zxid !== BigInt(rec.zxid)) {
          damage(i, rec.offset, "record does not decode to a transaction with its zxid", false, r > 0);
          stopped = true;
          break;
        }
        out.txns.push(t);
      }
      prev = rec.zxid;
      out.lastZxid = rec.zxid;
    }
    if (stopped) break;
    const end = scan.end;
    const hasRecords = scan.records.length > 0;
    if (end.kind === "clean") {
      if (!hasRecords && !isLast) {
        damage(i, LOG_HEADER_BYTES, "segment holds no records but later segments exist", false, false);
        break;
      }
      if (!hasRecords) {
        // Header written, nothing else: its name would clash with the next segment; drop it.
        removeFrom(i);
      }
      continue;
    }
    const torn = end.kind === "torn" && isLast;
    const reason = end.kind === "torn" && !isLast ? `${end.reason}, but later segments exist` : end.reason;
    damage(i, end.offset, reason, torn, hasRecords);
    break;
  }
  return out;
}
