import { join } from "node:path";
import { assert } from "../util/assert.js";
import { type FileLayer, nodeFiles } from "./file-layer.js";
import { sortedSegments } from "./log-format.js";
import { listSnapshots, listSnapshotTemps } from "./snapshot.js";

export interface PurgeOptions {
  dataDir: string;
  dataLogDir: string;
  /** autopurge.snapRetainCount: at least 3, as ZooKeeper insists. */
  snapRetainCount: number;
  files?: FileLayer;
}

/**
 * Keeps the newest snapRetainCount snapshots and every log segment needed to replay from the
 * oldest kept one: the segment holding its zxid+1 (the newest starting at or before it) and all
 * later ones. Also removes temp files of snapshots older than the newest kept one (leftovers of a
 * crash; a snapshot in progress is always newer). With fewer snapshots than the count, nothing
 * goes. Directory fsyncs make the removals durable.
 */
export async function purge(options: PurgeOptions): Promise<{ removed: string[] }> {
  assert(
    Number.isInteger(options.snapRetainCount) && options.snapRetainCount >= 3,
    `snapRetainCount must be >= 3, got ${options.snapRetainCount}`,
  );
  const files = options.files ?? nodeFiles;
  // A mistyped directory would otherwise "succeed" with nothing removed, and the disk fills anyway.
  for (const dir of new Set([options.dataDir, options.dataLogDir])) {
    const stat = files.stat(dir);
    if (stat === undefined) throw new Error(`${dir}: no such directory`);
    if (!stat.isDirectory) throw new Error(`${dir}: not a directory`);
  }
  const snapshots = listSnapshots(options.dataDir, files);
  const removed: string[] = [];
  if (snapshots.length < options.snapRetainCount) return { removed };
  const kept = snapshots.slice(0, options.snapRetainCount);
  const oldestKept = kept[kept.length - 1]!.zxid;
  const newestKept = kept[0]!.zxid;

  const dataRemovals = [
    ...snapshots.slice(options.snapRetainCount).map((s) => s.file),
    ...listSnapshotTemps(options.dataDir, files)
      .filter((t) => t.zxid < newestKept)
      .map((t) => t.file),
  ];
  const segments = sortedSegments(files.readdir(options.dataLogDir));
  let firstNeeded = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.firstZxid <= oldestKept + 1) firstNeeded = i;
  const logRemovals = segments.slice(0, firstNeeded).map((s) => join(options.dataLogDir, s.name));

  for (const [dir, paths] of [
    [options.dataLogDir, logRemovals],
    [options.dataDir, dataRemovals],
  ] as const) {
    if (paths.length === 0) continue;
    for (const path of paths) {
      files.unlink(path);
      removed.push(path);
    }
    files.fsyncDir(dir);
  }
  return { removed };
}
