import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiskFloor, describeLow } from "../../../server/persistence/disk-floor.js";

// The floor's state before the first check, which directory a refusal names, the percentage
// floor's rounding, an error clearing once statfs reads again, and node's statfs by default.

type Stat = { bavail: number; bsize: number; blocks: number };

function floorOn(stats: Map<string, Stat | Error>, bytes: number, percent: number): DiskFloor {
  return new DiskFloor({
    dirs: [
      { name: "dataDir", path: "/data" },
      { name: "dataLogDir", path: "/log" },
    ],
    freeBytesMin: bytes,
    freePercentMin: percent,
    statfs: (path) => {
      const s = stats.get(path);
      if (s === undefined || s instanceof Error) throw s ?? new Error(`no ${path}`);
      return s;
    },
  });
}

describe("DiskFloor states", () => {
  it("before the first check: nothing read, nothing low", () => {
    const floor = floorOn(new Map(), 1000, 5);
    expect(floor.dirs).toEqual([
      {
        name: "dataDir",
        path: "/data",
        freeBytes: -1,
        totalBytes: -1,
        floorBytes: 1000,
        low: false,
        error: undefined,
      },
      {
        name: "dataLogDir",
        path: "/log",
        freeBytes: -1,
        totalBytes: -1,
        floorBytes: 1000,
        low: false,
        error: undefined,
      },
    ]);
    expect(floor.low).toBe(false);
    expect(floor.refusal).toBeUndefined();
  });

  it("both low: both reported as changed, the refusal names the first; each recovers on its own", () => {
    const stats = new Map<string, Stat | Error>([
      ["/data", { bavail: 1, bsize: 512, blocks: 100 }],
      ["/log", { bavail: 2, bsize: 512, blocks: 100 }],
    ]);
    const floor = floorOn(stats, 2048, 0);
    expect(floor.check().map((d) => [d.name, d.low, d.freeBytes, d.totalBytes])).toEqual([
      ["dataDir", true, 512, 51200],
      ["dataLogDir", true, 1024, 51200],
    ]);
    expect(floor.refusal).toBe(describeLow(floor.dirs[0]!));
    expect(floor.refusal).toBe(
      "dataDir /data has 512 bytes free, below the floor of 2048 bytes (paddock.diskFreeBytesMin, paddock.diskFreePercentMin): this member refuses writes and serves reads until space returns",
    );
    stats.set("/data", { bavail: 4, bsize: 512, blocks: 100 });
    expect(floor.check().map((d) => [d.name, d.low])).toEqual([["dataDir", false]]);
    expect(floor.refusal).toBe(describeLow(floor.dirs[1]!));
    expect(floor.low).toBe(true);
  });

  it("the percentage floor rounds up to a whole byte, and is used when larger", () => {
    const stats = new Map<string, Stat | Error>([
      ["/data", { bavail: 101, bsize: 1, blocks: 1001 }],
      ["/log", { bavail: 100, bsize: 1, blocks: 1001 }],
    ]);
    const floor = floorOn(stats, 10, 10);
    floor.check();
    // 10 % of 1,001 bytes is 100.1: the floor is 101 bytes.
    expect(floor.dirs.map((d) => [d.floorBytes, d.low])).toEqual([
      [101, false],
      [101, true],
    ]);
  });

  it("a failing statfs keeps the last numbers and says why; the error clears when it reads again", () => {
    const stats = new Map<string, Stat | Error>([
      ["/data", { bavail: 10, bsize: 100, blocks: 100 }],
      ["/log", { bavail: 10, bsize: 100, blocks: 100 }],
    ]);
    const floor = floorOn(stats, 0, 0);
    floor.check();
    stats.set("/log", new Error("EIO: statfs /log"));
    expect(floor.check()).toEqual([]);
    expect(floor.dirs[1]).toEqual({
      name: "dataLogDir",
      path: "/log",
      freeBytes: 1000,
      totalBytes: 10000,
      floorBytes: 0,
      low: false,
      error: "EIO: statfs /log",
    });
    stats.set("/log", { bavail: 5, bsize: 100, blocks: 100 });
    floor.check();
    expect(floor.dirs[1]).toMatchObject({ freeBytes: 500, error: undefined });
  });

  it("reads the real filesystem with node's statfs when none is given", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-floor-"));
    try {
      const floor = new DiskFloor({
        dirs: [{ name: "dataDir", path: dir }],
        freeBytesMin: Number.MAX_SAFE_INTEGER,
        freePercentMin: 0,
      });
      expect(floor.check().map((d) => d.name)).toEqual(["dataDir"]);
      const d = floor.dirs[0]!;
      expect(d.error).toBeUndefined();
      expect(d.totalBytes).toBeGreaterThan(0);
      expect(d.freeBytes).toBeGreaterThanOrEqual(0);
      expect(d.freeBytes).toBeLessThanOrEqual(d.totalBytes);
      expect(floor.refusal).toBe(describeLow(d));
      const missing = new DiskFloor({
        dirs: [{ name: "dataLogDir", path: join(dir, "missing") }],
        freeBytesMin: 0,
        freePercentMin: 0,
      });
      missing.check();
      expect(missing.dirs[0]!.error).toMatch(/^ENOENT: no such file or directory, statfs '.*missing'$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
