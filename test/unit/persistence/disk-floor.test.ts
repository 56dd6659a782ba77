import { describe, expect, it } from "vitest";
import { DiskFloor } from "../../../server/persistence/disk-floor.js";

// The floor's arithmetic and state changes on a statfs the test sets; test/e2e/disk-floor.test.ts
// runs it on a real tmpfs.

const MiB = 1024 * 1024;

function floorWith(free: Map<string, number>, options: { bytes: number; percent: number }) {
  return new DiskFloor({
    dirs: [
      { name: "dataDir", path: "/data" },
      { name: "dataLogDir", path: "/log" },
    ],
    freeBytesMin: options.bytes,
    freePercentMin: options.percent,
    statfs: (path) => {
      const bytes = free.get(path);
      if (bytes === undefined) throw new Error(`ENOENT: ${path}`);
      return { bavail: bytes / 4096, bsize: 4096, blocks: (1000 * MiB) / 4096 };
    },
  });
}

describe("DiskFloor", () => {
  it("reports each directory going low and back, and refuses while any is low", () => {
    const free = new Map([
      ["/data", 500 * MiB],
      ["/log", 500 * MiB],
    ]);
    const floor = floorWith(free, { bytes: 100 * MiB, percent: 0 });
    expect(floor.check()).toEqual([]);
    expect(floor.refusal).toBeUndefined();
    free.set("/log", 99 * MiB);
    expect(floor.check().map((d) => [d.name, d.low])).toEqual([["dataLogDir", true]]);
    expect(floor.refusal).toBe(
      `dataLogDir /log has ${99 * MiB} bytes free, below the floor of ${100 * MiB} bytes (paddock.diskFreeBytesMin, paddock.diskFreePercentMin): this member refuses writes and serves reads until space returns`,
    );
    expect(floor.check()).toEqual([]);
    free.set("/log", 100 * MiB);
    expect(floor.check().map((d) => [d.name, d.low])).toEqual([["dataLogDir", false]]);
    expect(floor.low).toBe(false);
  });

  it("the larger of the byte and percentage floors counts", () => {
    const free = new Map([
      ["/data", 150 * MiB],
      ["/log", 150 * MiB],
    ]);
    const floor = floorWith(free, { bytes: 100 * MiB, percent: 20 });
    floor.check();
    expect(floor.dirs.map((d) => d.floorBytes)).toEqual([200 * MiB, 200 * MiB]);
    expect(floor.low).toBe(true);
  });

  it("a directory whose statfs fails keeps its last state and says why", () => {
    const free = new Map([
      ["/data", 50 * MiB],
      ["/log", 500 * MiB],
    ]);
    const floor = floorWith(free, { bytes: 100 * MiB, percent: 0 });
    floor.check();
    expect(floor.low).toBe(true);
    free.delete("/data");
    expect(floor.check()).toEqual([]);
    expect(floor.low).toBe(true);
    expect(floor.dirs[0]!.error).toBe("ENOENT: /data");
  });
});
