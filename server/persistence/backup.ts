import { join } from "node:path";
import { zxidHex } from "../util/zxid.js";
import { type EpochName, readEpoch, writeEpoch } from "./epoch-file.js";
import { type FileLayer, nodeFiles, writeFully } from "./file-layer.js";
import { checkFormatVersion } from "./format-version.js";
import { sortedSegments } from "./log-format.js";
import { scanSegment } from "./segment-reader.js";
import { listSnapshots, readSnapshot } from "./snapshot.js";

/** The backup's own description, `backup.json`, with its format version like every file we write. */
export const MANIFEST = "backup.json";
export const BACKUP_FORMAT_VERSION = 1;

export interface Manifest {
  readonly format: number;
  /** The last transaction in the backup, hex. */
  readonly zxid: string;
  readonly snapshot: string;
  readonly segments: readonly string[];
  readonly epochs: readonly EpochName[];
}

export interface BackupOptions {
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly to: string;
  /** Cut the log here (a live member's applied zxid: everything up to it is committed). */
  readonly upToZxid?: number;
  readonly files?: FileLayer;
}

const EPOCHS: EpochName[] = ["acceptedEpoch", "currentEpoch"];

function writeDurably(files: FileLayer, path: string, bytes: Uint8Array): void {
  const fd = files.open(path, "wx");
  try {
    writeFully(files, fd, bytes, 0, bytes.length, 0);
    files.fsync(fd);
  } finally {
    files.close(fd);
  }
}

/** Names in `dir` that a member's data would hold (the target of a restore must have none). */
function dataNames(files: FileLayer, dir: string): string[] {
  if (files.stat(dir) === undefined) return [];
  return files
    .readdir(dir)
    .filter((n) => n.startsWith("snapshot.") || n.startsWith("log.") || EPOCHS.includes(n as EpochName));
}

/**
 * A consistent copy of a member's files while it runs: snapshots are never rewritten and segments
 * only grow, so the newest snapshot at or below the cut plus the segments after it, each cut at
 * the last whole record (or at `upToZxid`), are a prefix of the member's history. A file purged
 * meanwhile (autopurge) restarts the copy.
 */
export async function backup(options: BackupOptions): Promise<Manifest> {
  const files = options.files ?? nodeFiles;
  if (dataNames(files, options.to).length > 0 || files.stat(join(options.to, MANIFEST)) !== undefined)
    throw new Error(`${options.to}: not empty; a backup goes into a new directory`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(options, files);
    } catch (e) {
      if ((e as { code?: string }).code !== "ENOENT" || attempt === 3) throw e;
      for (const name of files.stat(options.to) === undefined ? [] : files.readdir(options.to))
        files.unlink(join(options.to, name));
    }
  }
}

async function copyOnce(options: BackupOptions, files: FileLayer): Promise<Manifest> {
  const cut = options.upToZxid ?? Number.MAX_SAFE_INTEGER;
  const snapshot = listSnapshots(options.dataDir, files).find((s) => s.zxid <= cut);
  if (snapshot === undefined)
    throw new Error(`${options.dataDir}: no snapshot at or below ${zxidHex(cut)} to start the backup from`);
  await readSnapshot(snapshot.file, files);
  files.mkdir(options.to);
  const snapshotName = snapshot.file.slice(snapshot.file.lastIndexOf("/") + 1);
  writeDurably(files, join(options.to, snapshotName), files.readFile(snapshot.file));

  const all = sortedSegments(files.readdir(options.dataLogDir));
  let start = 0;
  for (let i = 0; i < all.length; i++) if (all[i]!.firstZxid <= snapshot.zxid + 1) start = i;
  const segments: string[] = [];
  let last = snapshot.zxid;
  for (const seg of all.slice(start)) {
    if (seg.firstZxid > cut) break;
    const bytes = files.readFile(join(options.dataLogDir, seg.name));
    const scan = scanSegment(bytes, 0);
    // A torn end is the record being written now; damage before it is not ours to copy.
    if (scan.end.kind === "corrupt") throw new Error(`${seg.name}: ${scan.end.reason} at ${scan.end.offset}`);
    const kept = scan.records.filter((r) => r.zxid <= cut);
    const after = scan.records[kept.length];
    const end = after?.offset ?? scan.end.offset;
    writeDurably(files, join(options.to, seg.name), bytes.subarray(0, end));
    segments.push(seg.name);
    if (kept.length > 0) last = kept[kept.length - 1]!.zxid;
    if (after !== undefined) break;
  }
  if (options.upToZxid !== undefined && last < options.upToZxid)
    throw new Error(`the log ends at ${zxidHex(last)}, before the asked ${zxidHex(options.upToZxid)}`);
  const epochs: EpochName[] = [];
  for (const name of EPOCHS) {
    const value = await readEpoch(options.dataDir, name, files);
    if (value === undefined) continue;
    await writeEpoch(options.to, name, value, files);
    epochs.push(name);
  }
  const manifest: Manifest = {
    format: BACKUP_FORMAT_VERSION,
    zxid: zxidHex(last),
    snapshot: snapshotName,
    segments,
    epochs,
  };
  writeDurably(
    files,
    join(options.to, MANIFEST),
    new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
  );
  files.fsyncDir(options.to);
  return manifest;
}

export function readManifest(dir: string, files: FileLayer = nodeFiles): Manifest {
  const path = join(dir, MANIFEST);
  if (files.stat(path) === undefined) throw new Error(`${dir}: no ${MANIFEST}; not a paddock backup`);
  const manifest = JSON.parse(new TextDecoder().decode(files.readFile(path))) as Manifest;
  checkFormatVersion(path, "backup", manifest.format, BACKUP_FORMAT_VERSION);
  return manifest;
}

/** Copies a backup into a new member's dataDir and dataLogDir (which must hold no data yet). */
export async function restore(
  from: string,
  dataDir: string,
  dataLogDir: string,
  files: FileLayer = nodeFiles,
): Promise<Manifest> {
  const manifest = readManifest(from, files);
  for (const dir of new Set([dataDir, dataLogDir])) {
    const present = dataNames(files, dir);
    if (present.length > 0)
      throw new Error(`${dir} already holds ${present[0]}; restore into an empty directory`);
    files.mkdir(dir);
  }
  const copy = (name: string, dir: string): void =>
    writeDurably(files, join(dir, name), files.readFile(join(from, name)));
  copy(manifest.snapshot, dataDir);
  for (const name of manifest.segments) copy(name, dataLogDir);
  for (const name of manifest.epochs)
    await writeEpoch(dataDir, name, (await readEpoch(from, name, files))!, files);
  for (const dir of new Set([dataDir, dataLogDir])) files.fsyncDir(dir);
  return manifest;
}
