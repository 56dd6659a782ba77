import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FileLayer,
  nodeFiles,
  readFileIfExists,
  replaceFileDurably,
  writeFully,
} from "../../../server/persistence/file-layer.js";
import { MemFiles } from "./mem-files.js";

/**
 * The real disk's FileLayer (nodeFiles) on a temp directory, call by call, and the helpers every
 * durable write goes through: writeFully over short and stuck writes, readFileIfExists, and
 * replaceFileDurably's order (temp written, fsynced and closed, renamed, directory fsynced).
 */
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "paddock-files-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
  return undefined;
};

describe("nodeFiles on the real disk", () => {
  it("opens, writes and reads at positions, sizes, extends with zeros, syncs and closes", async () => {
    const dir = tmp();
    const path = join(dir, "f");
    const fd = nodeFiles.open(path, "wx");
    expect(nodeFiles.write(fd, Buffer.from("..abcdef"), 2, 4, 3)).toBe(4);
    expect(nodeFiles.fsize(fd)).toBe(7);
    nodeFiles.ftruncate(fd, 10);
    nodeFiles.fdatasync(fd);
    nodeFiles.fsync(fd);
    await nodeFiles.fsyncAsync(fd);
    nodeFiles.close(fd);
    const ro = nodeFiles.open(path, "r");
    const into = new Uint8Array(12).fill(9);
    expect(nodeFiles.read(ro, into, 1, 11, 2)).toBe(8);
    expect([...into]).toEqual([9, 0, 97, 98, 99, 100, 0, 0, 0, 9, 9, 9]);
    nodeFiles.close(ro);
    expect(codeOf(() => nodeFiles.open(path, "wx"))).toBe("EEXIST");
    expect([...nodeFiles.readFile(path)]).toEqual([0, 0, 0, 97, 98, 99, 100, 0, 0, 0]);
    await expect(nodeFiles.fsyncAsync(fd)).rejects.toMatchObject({ code: "EBADF" });
  });

  it("opens read-only, read-write, and create-or-truncate as asked", () => {
    const dir = tmp();
    const path = join(dir, "f");
    writeFileSync(path, "hello");
    const ro = nodeFiles.open(path, "r");
    expect(codeOf(() => nodeFiles.write(ro, Buffer.from("x"), 0, 1, 0))).toBe("EBADF");
    nodeFiles.close(ro);
    const rw = nodeFiles.open(path, "r+");
    nodeFiles.write(rw, Buffer.from("J"), 0, 1, 0);
    nodeFiles.close(rw);
    expect(readFileSync(path, "utf8")).toBe("Jello");
    nodeFiles.close(nodeFiles.open(path, "w"));
    expect(readFileSync(path, "utf8")).toBe("");
    expect(codeOf(() => nodeFiles.open(join(dir, "missing"), "r+"))).toBe("ENOENT");
  });

  it("lists, stats, renames, unlinks and makes directories", () => {
    const dir = tmp();
    nodeFiles.mkdir(join(dir, "a", "b"));
    nodeFiles.mkdir(join(dir, "a", "b"));
    writeFileSync(join(dir, "a", "f"), "12345");
    expect(nodeFiles.readdir(join(dir, "a")).sort()).toEqual(["b", "f"]);
    expect(nodeFiles.stat(join(dir, "a", "f"))).toEqual({ size: 5, isDirectory: false });
    expect(nodeFiles.stat(join(dir, "a", "b"))).toEqual({ size: expect.any(Number), isDirectory: true });
    nodeFiles.rename(join(dir, "a", "f"), join(dir, "a", "g"));
    expect(nodeFiles.readdir(join(dir, "a")).sort()).toEqual(["b", "g"]);
    nodeFiles.fsyncDir(join(dir, "a"));
    nodeFiles.unlink(join(dir, "a", "g"));
    expect(nodeFiles.stat(join(dir, "a", "g"))).toBeUndefined();
    expect(codeOf(() => nodeFiles.unlink(join(dir, "a", "g")))).toBe("ENOENT");
  });

  it("reads a missing directory as empty and a missing file as undefined, but passes other errors on", () => {
    const dir = tmp();
    const file = join(dir, "f");
    writeFileSync(file, "x");
    expect(nodeFiles.readdir(join(dir, "none"))).toEqual([]);
    expect(nodeFiles.stat(join(dir, "none"))).toBeUndefined();
    // Below a regular file: ENOTDIR is not "missing".
    expect(codeOf(() => nodeFiles.readdir(file))).toBe("ENOTDIR");
    expect(codeOf(() => nodeFiles.stat(join(file, "x")))).toBe("ENOTDIR");
    expect(codeOf(() => nodeFiles.fsyncDir(join(dir, "none")))).toBe("ENOENT");
  });
});

/** A layer whose writes take at most `step` bytes each and answer `stuckAt` with 0 or less. */
function stingyLayer(
  step: number,
  stuck?: { at: number; answer: number },
): { files: FileLayer; calls: string[] } {
  const mem = new MemFiles();
  const calls: string[] = [];
  const files = Object.create(mem) as MemFiles;
  files.write = (fd, buffer, offset, length, position) => {
    calls.push(`${offset}+${length}@${position}`);
    if (stuck !== undefined && position >= stuck.at) return stuck.answer;
    return mem.write(fd, buffer, offset, Math.min(length, step), position);
  };
  return { files, calls };
}

describe("writeFully", () => {
  it("loops over short writes until every byte is at its position", () => {
    const { files, calls } = stingyLayer(3);
    files.mkdir("/d");
    const fd = files.open("/d/f", "w");
    writeFully(files, fd, Buffer.from("xxabcdefgh"), 2, 7, 10);
    expect(calls).toEqual(["2+7@10", "5+4@13", "8+1@16"]);
    expect(Buffer.from(files.readFile("/d/f").subarray(10)).toString()).toBe("abcdefg");
    writeFully(files, fd, Buffer.from("z"), 0, 0, 0);
    expect(calls.length).toBe(3);
  });

  for (const answer of [0, -1]) {
    it(`refuses a write that makes no progress (${answer}), naming the position`, () => {
      const { files } = stingyLayer(3, { at: 103, answer });
      files.mkdir("/d");
      const fd = files.open("/d/f", "w");
      expect(() => writeFully(files, fd, Buffer.from("abcdef"), 0, 6, 100)).toThrow(
        new Error("write made no progress at position 103"),
      );
    });
  }
});

describe("readFileIfExists and replaceFileDurably", () => {
  it("reads undefined for a missing file and the bytes otherwise", () => {
    const files = new MemFiles();
    expect(readFileIfExists(files, "/d/f")).toBeUndefined();
    replaceFileDurably(files, "/d", "/d/f", Buffer.from("abc"));
    expect(Buffer.from(readFileIfExists(files, "/d/f")!).toString()).toBe("abc");
  });

  it("replaces through a temp file: write, fsync, close, rename, directory fsync", () => {
    const files = new MemFiles();
    replaceFileDurably(files, "/d", "/d/f", Buffer.from("old"));
    const closed: number[] = [];
    const close = files.close.bind(files);
    files.close = (fd) => {
      files.journal.push(`close ${fd}`);
      closed.push(fd);
      close(fd);
    };
    const mark = files.journal.length;
    replaceFileDurably(files, "/d", "/d/f", Buffer.from("new!"));
    expect(files.journal.slice(mark)).toEqual([
      "open /d/f.tmp",
      "write /d/f.tmp",
      "fsync /d/f.tmp",
      `close ${closed[0]}`,
      "rename /d/f.tmp -> /d/f",
      "fsyncDir /d",
    ]);
    files.crash();
    files.reboot();
    expect(Buffer.from(files.readFile("/d/f")).toString()).toBe("new!");
    expect(files.readdir("/d")).toEqual(["f"]);
  });

  it("closes the temp file and leaves the old one when the write fails", () => {
    const files = new MemFiles();
    replaceFileDurably(files, "/d", "/d/f", Buffer.from("old"));
    let open = 0;
    const openFd = files.open.bind(files);
    const close = files.close.bind(files);
    files.open = (path, flags) => {
      open++;
      return openFd(path, flags);
    };
    files.close = (fd) => {
      open--;
      close(fd);
    };
    files.faults.push({ op: "write", effect: { kind: "error", code: "ENOSPC" } });
    expect(codeOf(() => replaceFileDurably(files, "/d", "/d/f", Buffer.from("new")))).toBe("ENOSPC");
    expect(open).toBe(0);
    expect(Buffer.from(files.readFile("/d/f")).toString()).toBe("old");
  });
});
