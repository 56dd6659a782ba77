import { basename, dirname, normalize } from "node:path";
import type { FileLayer } from "../../../server/persistence/file-layer.js";

/**
 * An in-memory FileLayer with the durability rules of a POSIX file system, for fault tests:
 * - file contents and size become durable only through fdatasync/fsync of that file;
 * - creates, renames and unlinks become durable only through fsyncDir of their directory;
 * - crash() drops everything not durable and closes every descriptor (the old process is gone);
 * - faults: short writes, torn writes (a prefix reaches the disk, then the machine dies),
 *   errors (EIO, ENOSPC, ...) on any operation, and a crash before the n-th mutating operation.
 * Simplification: directories themselves are durable as soon as mkdir returns.
 */
interface Inode {
  data: Uint8Array;
  size: number;
  durable: Uint8Array;
}

interface Dir {
  entries: Map<string, Inode>;
  durable: Map<string, Inode>;
}

export type FaultOp =
  | "open"
  | "write"
  | "fdatasync"
  | "fsync"
  | "ftruncate"
  | "rename"
  | "unlink"
  | "fsyncDir";

export interface Fault {
  op: FaultOp;
  /** Only calls whose path contains this. */
  path?: string;
  /** Let this many matching calls pass first. */
  skip?: number;
  effect:
    | { kind: "error"; code: string }
    | { kind: "short"; bytes: number }
    | { kind: "torn"; bytes: number };
  /** Keep firing on every later matching call (a full disk stays full). */
  sticky?: boolean;
}

export class CrashError extends Error {
  override name = "CrashError";
}

function errno(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

export class MemFiles implements FileLayer {
  private readonly dirs = new Map<string, Dir>();
  private readonly fds = new Map<number, { inode: Inode; path: string; writable: boolean }>();
  private nextFd = 3;
  faults: Fault[] = [];
  /** Mutating operations so far (open for writing, write, sync, truncate, rename, unlink). */
  mutations = 0;
  /** Crash just before this mutation number (1-based) would run. */
  crashAtMutation: number | undefined;
  crashes = 0;
  /** Between crash() and reboot() the machine is down: every call throws CrashError. */
  down = false;
  /** Every operation, for tests that check order ("fdatasync before ack"). */
  readonly journal: string[] = [];

  constructor() {
    this.dirs.set("/", { entries: new Map(), durable: new Map() });
  }

  /** Descriptors opened and not closed yet (a leak shows as a count above zero). */
  get openFiles(): number {
    return this.fds.size;
  }

  // ---- faults and crashes ----

  /** Loses everything not durable; with keepUnsynced, everything written so far survives instead. */
  crash(options: { keepUnsynced?: boolean } = {}): void {
    this.crashes++;
    this.down = true;
    this.fds.clear();
    for (const dir of this.dirs.values()) {
      if (options.keepUnsynced) dir.durable = new Map(dir.entries);
      else dir.entries = new Map(dir.durable);
      for (const inode of dir.entries.values()) {
        if (options.keepUnsynced) inode.durable = inode.data.slice(0, inode.size);
        inode.data = inode.durable.slice();
        inode.size = inode.durable.length;
      }
    }
    this.crashAtMutation = undefined;
  }

  /** Back up after a crash: what a restarted process sees. */
  reboot(): void {
    this.down = false;
  }

  private alive(): void {
    if (this.down) throw new CrashError("the machine crashed; reboot() first");
  }

  private check(op: FaultOp, path: string): Fault["effect"] | undefined {
    this.alive();
    this.journal.push(`${op} ${path}`);
    this.mutation();
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      if (f.op !== op || (f.path !== undefined && !path.includes(f.path))) continue;
      if (f.skip !== undefined && f.skip > 0) {
        f.skip--;
        continue;
      }
      if (!f.sticky) this.faults.splice(i, 1);
      if (f.effect.kind === "error") throw errno(f.effect.code, `${op} ${path} (injected)`);
      return f.effect;
    }
    return undefined;
  }

  private mutation(): void {
    this.mutations++;
    if (this.crashAtMutation !== undefined && this.mutations >= this.crashAtMutation) {
      this.crash();
      throw new CrashError(`crashed before mutation ${this.mutations}`);
    }
  }

  // ---- helpers ----

  private dir(path: string): Dir {
    this.alive();
    const d = this.dirs.get(normalize(path));
    if (d === undefined) throw errno("ENOENT", `no directory ${path}`);
    return d;
  }

  private fd(fd: number): { inode: Inode; path: string; writable: boolean } {
    this.alive();
    const f = this.fds.get(fd);
    if (f === undefined) throw errno("EBADF", `fd ${fd}`);
    return f;
  }

  private inode(path: string): Inode | undefined {
    this.alive();
    return this.dirs.get(dirname(normalize(path)))?.entries.get(basename(path));
  }

  private static resize(inode: Inode, size: number): void {
    if (size > inode.data.length) {
      const grown = new Uint8Array(Math.max(size, inode.data.length * 2));
      grown.set(inode.data.subarray(0, inode.size));
      inode.data = grown;
    } else if (size < inode.size) {
      inode.data.fill(0, size, inode.size);
    }
    inode.size = size;
  }

  /** The durable bytes of a file (what a crash now would leave), for assertions. */
  durableBytes(path: string): Uint8Array | undefined {
    const p = normalize(path);
    return this.dirs.get(dirname(p))?.durable.get(basename(p))?.durable.slice();
  }

  /** Overwrites bytes of a file and makes them durable (planted damage). */
  damage(path: string, offset: number, bytes: Uint8Array | number[]): void {
    const inode = this.inode(path);
    if (inode === undefined) throw errno("ENOENT", path);
    if (offset + bytes.length > inode.size) MemFiles.resize(inode, offset + bytes.length);
    inode.data.set(bytes, offset);
    inode.durable = inode.data.slice(0, inode.size);
  }

  // ---- FileLayer ----

  open(path: string, flags: "r" | "r+" | "wx" | "w"): number {
    const p = normalize(path);
    const dir = this.dir(dirname(p));
    const name = basename(p);
    let inode = dir.entries.get(name);
    if (flags === "r" || flags === "r+") {
      this.journal.push(`open ${p}`);
      if (inode === undefined) throw errno("ENOENT", p);
    } else {
      this.check("open", p);
      if (inode !== undefined && flags === "wx") throw errno("EEXIST", p);
      if (inode === undefined) {
        inode = { data: new Uint8Array(0), size: 0, durable: new Uint8Array(0) };
        dir.entries.set(name, inode);
      } else {
        MemFiles.resize(inode, 0);
      }
    }
    const fd = this.nextFd++;
    this.fds.set(fd, { inode, path: p, writable: flags !== "r" });
    return fd;
  }

  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const { inode } = this.fd(fd);
    const n = Math.max(0, Math.min(length, inode.size - position));
    buffer.set(inode.data.subarray(position, position + n), offset);
    return n;
  }

  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const f = this.fd(fd);
    if (!f.writable) throw errno("EBADF", `${f.path} opened read-only`);
    const effect = this.check("write", f.path);
    let n = length;
    if (effect?.kind === "short") n = Math.min(length, effect.bytes);
    if (effect?.kind === "torn") n = Math.min(length, effect.bytes);
    if (position + n > f.inode.size) MemFiles.resize(f.inode, position + n);
    f.inode.data.set(buffer.subarray(offset, offset + n), position);
    if (effect?.kind === "torn") {
      this.crash({ keepUnsynced: true });
      throw new CrashError(`torn write of ${f.path}: ${n} of ${length} bytes reached the disk`);
    }
    return n;
  }

  fdatasync(fd: number): void {
    const f = this.fd(fd);
    this.check("fdatasync", f.path);
    f.inode.durable = f.inode.data.slice(0, f.inode.size);
  }

  fsync(fd: number): void {
    const f = this.fd(fd);
    this.check("fsync", f.path);
    f.inode.durable = f.inode.data.slice(0, f.inode.size);
  }

  fsyncAsync(fd: number): Promise<void> {
    return Promise.resolve().then(() => this.fsync(fd));
  }

  ftruncate(fd: number, length: number): void {
    const f = this.fd(fd);
    this.check("ftruncate", f.path);
    MemFiles.resize(f.inode, length);
  }

  fsize(fd: number): number {
    return this.fd(fd).inode.size;
  }

  close(fd: number): void {
    this.fd(fd);
    this.fds.delete(fd);
  }

  rename(from: string, to: string): void {
    const a = normalize(from);
    const b = normalize(to);
    this.check("rename", `${a} -> ${b}`);
    const src = this.dir(dirname(a));
    const inode = src.entries.get(basename(a));
    if (inode === undefined) throw errno("ENOENT", a);
    src.entries.delete(basename(a));
    this.dir(dirname(b)).entries.set(basename(b), inode);
  }

  unlink(path: string): void {
    const p = normalize(path);
    this.check("unlink", p);
    const dir = this.dir(dirname(p));
    if (!dir.entries.delete(basename(p))) throw errno("ENOENT", p);
  }

  readdir(dir: string): string[] {
    this.alive();
    const d = this.dirs.get(normalize(dir));
    if (d === undefined) return [];
    const subdirs = [...this.dirs.keys()].filter((k) => k !== "/" && dirname(k) === normalize(dir));
    return [...d.entries.keys(), ...subdirs.map((k) => basename(k))].sort();
  }

  stat(path: string): { size: number; isDirectory: boolean } | undefined {
    this.alive();
    const p = normalize(path);
    if (this.dirs.has(p)) return { size: 0, isDirectory: true };
    const inode = this.inode(p);
    return inode === undefined ? undefined : { size: inode.size, isDirectory: false };
  }

  readFile(path: string): Uint8Array {
    const inode = this.inode(normalize(path));
    if (inode === undefined) throw errno("ENOENT", path);
    return inode.data.slice(0, inode.size);
  }

  mkdir(path: string): void {
    this.alive();
    const p = normalize(path);
    if (this.dirs.has(p)) return;
    this.mkdir(dirname(p));
    this.dirs.set(p, { entries: new Map(), durable: new Map() });
  }

  fsyncDir(dir: string): void {
    const p = normalize(dir);
    this.check("fsyncDir", p);
    const d = this.dir(p);
    d.durable = new Map(d.entries);
  }
}
