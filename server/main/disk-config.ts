import { ConfigError } from "./config-error.js";

/**
 * Disk keys: the free-space floor of dataDir and dataLogDir (Paddock's own: ZooKeeper has no
 * such check and fails on ENOSPC) and ZooKeeper's fsync.warningthresholdms.
 */
export interface DiskConfig {
  /** paddock.diskFreeBytesMin: below this many free bytes in either directory, writes are refused. */
  freeBytesMin: number;
  /** paddock.diskFreePercentMin: the same as a percentage of the filesystem (the larger floor wins). */
  freePercentMin: number;
  /** paddock.diskCheckIntervalMs: how often free space is read (statfs). */
  checkIntervalMs: number;
  /** fsync.warningthresholdms: a group commit slower than this logs a warning and counts. */
  fsyncWarningThresholdMs: number;
}

/**
 * 256 MiB: room for a new log segment's preallocation (preAllocSize, 64 MiB), the session and
 * sync transactions still accepted below the floor, and a snapshot of a modest tree.
 */
export const DISK_FREE_BYTES_MIN_DEFAULT = 256 * 1024 * 1024;

export function defaultDiskConfig(): DiskConfig {
  return {
    freeBytesMin: DISK_FREE_BYTES_MIN_DEFAULT,
    freePercentMin: 0,
    checkIntervalMs: 1000,
    fsyncWarningThresholdMs: 1000,
  };
}

/** Byte counts pass 2^31 (a 4 GiB floor), so this parser takes up to 2^53-1. */
function wholeNumber(key: string, value: string, min: number, max: number): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
    throw new ConfigError(`zoo.cfg: ${key}=${value} must be a decimal integer from ${min} to ${max}`);
  }
  return n;
}

/** Applies one disk key; false when the key is not one of them. */
export function applyDiskKey(disk: DiskConfig, key: string, value: string): boolean {
  switch (key) {
    case "paddock.diskFreeBytesMin":
      disk.freeBytesMin = wholeNumber(key, value, 0, Number.MAX_SAFE_INTEGER);
      return true;
    case "paddock.diskFreePercentMin":
      disk.freePercentMin = wholeNumber(key, value, 0, 99);
      return true;
    case "paddock.diskCheckIntervalMs":
      disk.checkIntervalMs = wholeNumber(key, value, 10, 3_600_000);
      return true;
    case "fsync.warningthresholdms":
    case "zookeeper.fsync.warningthresholdms":
      disk.fsyncWarningThresholdMs = wholeNumber(key, value, 0, 0x7fff_ffff);
      return true;
    default:
      return false;
  }
}
