import { join } from "node:path";
import type { FileLayer } from "./file-layer.js";
import { sortedSegments } from "./log-format.js";
import { scanSegment } from "./segment-reader.js";

/**
 * Removes every record above `zxid` from the log segments in `dir` (ZAB's TRUNC, and after a SNAP):
 * later segments are deleted, the segment holding the cut is shortened right after its last kept
 * record (the reader stops at end of file), and both the file and the directory are fsynced. Runs
 * while no writer has a segment open. Returns the files changed, for the log.
 */
export function truncateSegments(files: FileLayer, dir: string, zxid: number): string[] {
  const changed: string[] = [];
  const segments = sortedSegments(files.readdir(dir));
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i]!;
    const path = join(dir, segment.name);
    if (segment.firstZxid > zxid) {
      files.unlink(path);
      changed.push(path);
      continue;
    }
    const scan = scanSegment(files.readFile(path), 0);
    const firstDropped = scan.records.find((r) => r.zxid > zxid);
    if (firstDropped !== undefined) {
      const fd = files.open(path, "r+");
      try {
        files.ftruncate(fd, firstDropped.offset);
        files.fsync(fd);
      } finally {
        files.close(fd);
      }
      changed.push(path);
    }
    // Older segments hold only smaller zxids.
    break;
  }
  if (changed.length > 0) files.fsyncDir(dir);
  return changed;
}
