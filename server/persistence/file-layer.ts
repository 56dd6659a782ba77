import * as fs from "node:fs";

/**
 * Every disk operation of server/persistence goes through a FileLayer, so tests can substitute an
 * in-memory one that injects faults and simulates a crash. The calls are synchronous, like node's
 * *Sync API, because the hot path (the log's write + fdatasync) runs them inside a worker thread,
 * where blocking is the point, and because a synchronous model makes crash points exact. The one
 * exception is `fsyncAsync`: a snapshot's final fsync may take long and runs on the main thread,
 * so it goes to the libuv pool instead.
 *
 * Errors are thrown as node does (an Error with a `code` such as "EIO", "ENOSPC", "ENOENT").
 */
export interface FileLayer {
  /** "r" read-only, "r+" read-write existing, "wx" create exclusively (fails if it exists), "w" create or truncate. */
  open(path: string, flags: "r" | "r+" | "wx" | "w"): number;
  /** Reads up to `length` bytes at `position`; returns the count (0 at end of file). */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes up to `length` bytes at `position`; may write fewer (callers loop). */
  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fdatasync(fd: number): void;
  fsync(fd: number): void;
  /** Off-main-thread fsync for large files. */
  fsyncAsync(fd: number): Promise<void>;
  /** Sets the file's length: shrinks it, or extends it with zeros (preallocation). */
  ftruncate(fd: number, length: number): void;
  fsize(fd: number): number;
  close(fd: number): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Names in `dir` (not paths); [] if the directory does not exist. */
  readdir(dir: string): string[];
  /** undefined if nothing is there. */
  stat(path: string): { size: number; isDirectory: boolean } | undefined;
  readFile(path: string): Uint8Array;
  /** Creates the directory and missing parents. */
  mkdir(path: string): void;
  /** Makes creates, renames and unlinks in `dir` durable. */
  fsyncDir(dir: string): void;
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

export const nodeFiles: FileLayer = {
  open: (path, flags) => fs.openSync(path, flags),
  read: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  write: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fdatasync: (fd) => fs.fdatasyncSync(fd),
  fsync: (fd) => fs.fsyncSync(fd),
  fsyncAsync: (fd) =>
    new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve()))),
  ftruncate: (fd, length) => fs.ftruncateSync(fd, length),
  fsize: (fd) => fs.fstatSync(fd).size,
  close: (fd) => fs.closeSync(fd),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (path) => fs.unlinkSync(path),
  readdir: (dir) => {
    try {
      return fs.readdirSync(dir);
    } catch (e) {
      if (isErrno(e, "ENOENT")) return [];
      throw e;
    }
  },
  stat: (path) => {
    try {
      const s = fs.statSync(path);
      return { size: s.size, isDirectory: s.isDirectory() };
    } catch (e) {
      if (isErrno(e, "ENOENT")) return undefined;
      throw e;
    }
  },
  readFile: (path) => fs.readFileSync(path),
  mkdir: (path) => {
    fs.mkdirSync(path, { recursive: true });
  },
  fsyncDir: (dir) => {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** Writes all of [offset, offset+length) at `position`, looping over short writes. */
export function writeFully(
  files: FileLayer,
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
): void {
  let done = 0;
  while (done < length) {
    const n = files.write(fd, buffer, offset + done, length - done, position + done);
    if (n <= 0) throw new Error(`write made no progress at position ${position + done}`);
    done += n;
  }
}

/** Reads a whole file through the layer, or undefined if it is missing. */
export function readFileIfExists(files: FileLayer, path: string): Uint8Array | undefined {
  if (files.stat(path) === undefined) return undefined;
  return files.readFile(path);
}

/**
 * Replaces `path` atomically and durably: a temp file written and fsynced, renamed over it, the
 * directory fsynced. A crash leaves the old file or the new one, never half of either.
 */
export function replaceFileDurably(files: FileLayer, dir: string, path: string, bytes: Uint8Array): void {
  files.mkdir(dir);
  const temp = `${path}.tmp`;
  const fd = files.open(temp, "w");
  try {
    writeFully(files, fd, bytes, 0, bytes.length, 0);
    files.fsync(fd);
  } finally {
    files.close(fd);
  }
  files.rename(temp, path);
  files.fsyncDir(dir);
}
