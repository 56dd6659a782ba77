import { type FileLayer, nodeFiles } from "./file-layer.js";

/**
 * TEST SEAM, unused in production: the log worker's disk with faults, for the real-process fault
 * tier (test/faults). Only the composition root turns it on (server/main/durability.ts, when the
 * environment variable PADDOCK_TEST_DISK is set); the log worker then loads this module through
 * WorkerInit.filesModule, and the options travel in the module URL's query, so nothing here reads
 * the environment. PADDOCK_TEST_DISK is that query, e.g. `fsyncDelayMs=200&loseUnsynced=1`:
 *
 * - `fsyncDelayMs=N`: every fdatasync/fsync first blocks the worker N ms (a slow disk);
 * - `bytesMax=N`: a write fails with ENOSPC once N bytes were written through the layer (a full
 *   disk; zeros written ahead count, as on a real disk);
 * - `loseUnsynced=1`: writes stay in the worker's memory until their file's next fdatasync, so a
 *   SIGKILL loses them as a power cut loses the page cache (a SIGKILL alone keeps it).
 */
export interface TestDiskOptions {
  readonly fsyncDelayMs: number;
  readonly bytesMax: number;
  readonly loseUnsynced: boolean;
}

export function parseTestDisk(query: string): TestDiskOptions {
  const params = new URLSearchParams(query);
  const options = { fsyncDelayMs: 0, bytesMax: Number.POSITIVE_INFINITY, loseUnsynced: false };
  for (const [key, value] of params) {
    const n = Number(value);
    if (key === "loseUnsynced") options.loseUnsynced = value === "1";
    else if ((key === "fsyncDelayMs" || key === "bytesMax") && Number.isInteger(n) && n >= 0)
      options[key] = n;
    else throw new Error(`PADDOCK_TEST_DISK: bad option ${key}=${value}`);
  }
  return options;
}

/** A FileLayer over `base` with the faults above. */
export function faultyFiles(options: TestDiskOptions, base: FileLayer = nodeFiles): FileLayer {
  const pending = new Map<number, { bytes: Uint8Array; position: number }[]>();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let written = 0;
  const writeOut = (fd: number): void => {
    const writes = pending.get(fd) ?? [];
    pending.delete(fd);
    for (const w of writes) {
      for (let done = 0; done < w.bytes.length; )
        done += base.write(fd, w.bytes, done, w.bytes.length - done, w.position + done);
    }
  };
  const sync = (fd: number, how: (fd: number) => void): void => {
    if (options.fsyncDelayMs > 0) Atomics.wait(sleeper, 0, 0, options.fsyncDelayMs);
    writeOut(fd);
    how(fd);
  };
  return {
    ...base,
    write(fd, buffer, offset, length, position) {
      // As a real full disk: what fits is written (a short write), then ENOSPC.
      const room = options.bytesMax - written;
      if (room <= 0) {
        throw Object.assign(new Error("ENOSPC: no space left on device, write (test seam)"), {
          code: "ENOSPC",
        });
      }
      length = Math.min(length, room);
      written += length;
      if (!options.loseUnsynced) return base.write(fd, buffer, offset, length, position);
      const list = pending.get(fd) ?? [];
      list.push({ bytes: buffer.slice(offset, offset + length), position });
      pending.set(fd, list);
      return length;
    },
    read(fd, buffer, offset, length, position) {
      writeOut(fd);
      return base.read(fd, buffer, offset, length, position);
    },
    fsize(fd) {
      writeOut(fd);
      return base.fsize(fd);
    },
    fdatasync: (fd) => sync(fd, base.fdatasync),
    fsync: (fd) => sync(fd, base.fsync),
    close(fd) {
      // Into the page cache, not onto the disk: the writer syncs before it closes.
      writeOut(fd);
      base.close(fd);
    },
  };
}

/** What the log worker loads (WorkerInit.filesModule): options from this module's URL query. */
export const files: FileLayer = faultyFiles(parseTestDisk(new URL(import.meta.url).search));
