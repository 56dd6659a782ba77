import { describe, expect, it } from "vitest";
import { backup, MANIFEST, readManifest, restore } from "../../../server/persistence/backup.js";
import { readEpoch, writeEpoch } from "../../../server/persistence/epoch-file.js";
import { FormatTooNewError } from "../../../server/persistence/format-version.js";
import { segmentName } from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { snapshotName, writeSnapshot } from "../../../server/persistence/snapshot.js";
import { TxnLog, type TxnLogOptions } from "../../../server/persistence/txn-log.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

// `paddock backup` / `restore` on an in-memory disk: which snapshot and which bytes of which
// segments a backup copies, that a restored member recovers exactly that prefix, and each refusal.

const TO = "/backup";

/** MemFiles whose readFile of a path fails with ENOENT the first `times` times (autopurge racing). */
class Purging extends MemFiles {
  readonly readFails = new Map<string, number>();
  override readFile(path: string): Uint8Array {
    const left = this.readFails.get(path) ?? 0;
    if (left > 0) {
      this.readFails.set(path, left - 1);
      throw Object.assign(new Error(`ENOENT: ${path} (purged)`), { code: "ENOENT" });
    }
    return super.readFile(path);
  }
}

/** Records 1..last in the log, snapshots at the given counters, acceptedEpoch 1 and currentEpoch 1. */
async function member(
  snapshots: number[],
  last = 10,
  files = new Purging(),
  over: Partial<TxnLogOptions> = {},
  recordBytes = 8,
): Promise<Purging> {
  const log = await TxnLog.open(memOptions(files, over));
  for (let c = 1; c <= last; c++) {
    await log.append(z(c), record(z(c), recordBytes));
    if (snapshots.includes(c))
      await writeSnapshot(
        DATA_DIR,
        { zxid: z(c), digest: 0n, acls: [], nodes: [], sessions: [], nodeCount: 0 },
        files,
      );
  }
  await log.close();
  await writeEpoch(DATA_DIR, "acceptedEpoch", 1, files);
  await writeEpoch(DATA_DIR, "currentEpoch", 1, files);
  return files;
}

async function restored(files: MemFiles): Promise<{ snapshot: number | undefined; txns: number[] }> {
  await restore(TO, "/r/data", "/r/log", files);
  // What restore wrote is durable: a crash right after it keeps it.
  files.crash();
  files.reboot();
  const r = await recover({ dataDir: "/r/data", dataLogDir: "/r/log", files });
  return { snapshot: Number(r.snapshot?.header.zxid), txns: r.txns.map((t) => Number(t.zxid)) };
}

const counters = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => z(from + i));

describe("backup", () => {
  it("copies the newest snapshot, the log after it up to the last whole record, the epochs, and a manifest", async () => {
    const files = await member([4, 8]);
    const manifest = await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files });
    expect(manifest).toEqual({
      format: 1,
      zxid: "0x10000000a",
      snapshot: snapshotName(z(8)),
      segments: [segmentName(z(1))],
      epochs: ["acceptedEpoch", "currentEpoch"],
    });
    expect(files.readdir(TO)).toEqual(
      ["acceptedEpoch", MANIFEST, "currentEpoch", segmentName(z(1)), snapshotName(z(8))].sort(),
    );
    // The segment without its preallocated zeros: exactly the records.
    const seg = files.readFile(`${TO}/${segmentName(z(1))}`);
    expect(seg.length).toBe(scanSegment(files.readFile(`${LOG_DIR}/${segmentName(z(1))}`), 0).end.offset);
    expect(new TextDecoder().decode(files.readFile(`${TO}/${MANIFEST}`))).toBe(
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    expect(readManifest(TO, files)).toEqual(manifest);
    // Everything in it is durable.
    files.crash();
    files.reboot();
    expect(await restored(files)).toEqual({ snapshot: z(8), txns: counters(9, 10) });
    expect(await readEpoch("/r/data", "currentEpoch", files)).toBe(1);
  });

  it("cut at upToZxid: the newest snapshot at or below it, the log up to exactly that record", async () => {
    const files = await member([4, 8]);
    const manifest = await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, upToZxid: z(6), files });
    expect(manifest).toMatchObject({ zxid: "0x100000006", snapshot: snapshotName(z(4)) });
    expect(await restored(files)).toEqual({ snapshot: z(4), txns: counters(5, 6) });
    // A cut at the snapshot itself: no record after it.
    const files2 = await member([4, 8]);
    const at = await backup({
      dataDir: DATA_DIR,
      dataLogDir: LOG_DIR,
      to: TO,
      upToZxid: z(8),
      files: files2,
    });
    expect(at).toMatchObject({ zxid: "0x100000008", snapshot: snapshotName(z(8)) });
    expect(await restored(files2)).toEqual({ snapshot: z(8), txns: [] });
  });

  it("with several segments: from the one holding snapshot + 1 to the one holding the cut", async () => {
    const files = await member([5], 12, new Purging(), { segmentBytesMax: 1024, batchCountMax: 1 }, 300);
    const all = files.readdir(LOG_DIR);
    expect(all.length).toBe(4);
    const manifest = await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, upToZxid: z(9), files });
    const starts = manifest.segments.map((n) => Number.parseInt(n.slice(4), 16));
    // The first copied segment holds z(6); the one before it does not reach that far.
    const firsts = all.map((n) => Number.parseInt(n.slice(4), 16)).sort((a, b) => a - b);
    const holding6 = firsts.filter((f) => f <= z(6)).at(-1)!;
    expect(starts[0]).toBe(holding6);
    expect(starts.at(-1)).toBe(firsts.filter((f) => f <= z(9)).at(-1));
    // Three records per segment: 1-3, 4-6, 7-9, 10-12; the first and the last are not needed.
    expect(manifest.segments).toEqual([segmentName(z(4)), segmentName(z(7))]);
    expect(await restored(files)).toEqual({ snapshot: z(5), txns: counters(6, 9) });
  });

  it("segment boundaries: one starting exactly at snapshot + 1 is the first, one starting at the cut the last", async () => {
    const files = await member([6], 12, new Purging(), { segmentBytesMax: 1024, batchCountMax: 1 }, 300);
    const manifest = await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, upToZxid: z(10), files });
    expect(manifest.segments).toEqual([segmentName(z(7)), segmentName(z(10))]);
    expect(manifest.zxid).toBe("0x10000000a");
    expect(await restored(files)).toEqual({ snapshot: z(6), txns: counters(7, 10) });
  });

  it("refuses a target that holds data or a manifest; other files there are fine", async () => {
    for (const name of [snapshotName(1), segmentName(1), "acceptedEpoch", "currentEpoch", MANIFEST]) {
      const files = await member([4]);
      files.mkdir(TO);
      files.close(files.open(`${TO}/${name}`, "w"));
      await expect(backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files }), name).rejects.toThrow(
        `${TO}: not empty; a backup goes into a new directory`,
      );
    }
    const files = await member([4]);
    files.mkdir(TO);
    files.close(files.open(`${TO}/README`, "w"));
    await expect(backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files })).resolves.toMatchObject({
      zxid: "0x10000000a",
    });
  });

  it("refuses without a snapshot at or below the cut, and a cut past the log's end", async () => {
    const files = await member([4, 8]);
    await expect(
      backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, upToZxid: z(3), files }),
    ).rejects.toThrow(`${DATA_DIR}: no snapshot at or below 0x100000003 to start the backup from`);
    await expect(
      backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, upToZxid: z(11), files }),
    ).rejects.toThrow("the log ends at 0x10000000a, before the asked 0x10000000b");
  });

  it("refuses a damaged snapshot and damage inside a segment; a torn end is not copied", async () => {
    const damaged = await member([4]);
    damaged.damage(`${DATA_DIR}/${snapshotName(z(4))}`, 20, [0xff]);
    await expect(backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: damaged })).rejects.toThrow(
      "damaged at offset",
    );
    const corrupt = await member([4]);
    const segPath = `${LOG_DIR}/${segmentName(z(1))}`;
    const scan = scanSegment(corrupt.readFile(segPath), 0);
    const third = scan.records[2]!.offset;
    corrupt.damage(segPath, third + 20, [0xee]);
    const end = scanSegment(corrupt.readFile(segPath), 0).end;
    expect(end.kind).toBe("corrupt");
    await expect(backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: corrupt })).rejects.toThrow(
      `${segmentName(z(1))}: ${end.kind === "corrupt" ? end.reason : ""} at ${third}`,
    );
    const torn = await member([4]);
    const last = scanSegment(torn.readFile(segPath), 0).records.at(-1)!.offset;
    torn.damage(segPath, last + 20, [0xee]);
    expect(await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: torn })).toMatchObject({
      zxid: "0x100000009",
    });
    expect(torn.readFile(`${TO}/${segmentName(z(1))}`).length).toBe(last);
  });

  it("a file purged while copying restarts the copy, at most three times; other errors do not", async () => {
    const segPath = `${LOG_DIR}/${segmentName(z(1))}`;
    const once = await member([4]);
    once.readFails.set(segPath, 1);
    const manifest = await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: once });
    expect(manifest.zxid).toBe("0x10000000a");
    expect(once.readdir(TO).length).toBe(5);
    expect(await restored(once)).toEqual({ snapshot: z(4), txns: counters(5, 10) });

    // The snapshot purged before anything was copied: the target does not exist yet.
    const early = await member([4]);
    early.readFails.set(`${DATA_DIR}/${snapshotName(z(4))}`, 1);
    expect((await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: early })).zxid).toBe(
      "0x10000000a",
    );

    const twice = await member([4]);
    twice.readFails.set(segPath, 2);
    await expect(
      backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: twice }),
    ).resolves.toBeDefined();

    const always = await member([4]);
    always.readFails.set(segPath, 3);
    await expect(backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: always })).rejects.toThrow(
      `ENOENT: ${segPath} (purged)`,
    );
    expect(always.readFails.get(segPath)).toBe(0);

    const eio = await member([4]);
    eio.faults.push({ op: "open", path: TO, effect: { kind: "error", code: "EIO" } });
    await expect(backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files: eio })).rejects.toThrow(
      "EIO",
    );
  });

  it("copies only the epoch files that exist", async () => {
    const files = new Purging();
    const log = await TxnLog.open(memOptions(files));
    await log.append(z(1), record(z(1)));
    await log.close();
    await writeSnapshot(
      DATA_DIR,
      { zxid: z(1), digest: 0n, acls: [], nodes: [], sessions: [], nodeCount: 0 },
      files,
    );
    await writeEpoch(DATA_DIR, "currentEpoch", 1, files);
    expect((await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files })).epochs).toEqual([
      "currentEpoch",
    ]);
    expect(files.readdir(TO)).not.toContain("acceptedEpoch");
  });
});

describe("readManifest and restore", () => {
  it("a directory without a manifest, and a manifest of a newer format", async () => {
    const files = new MemFiles();
    files.mkdir(TO);
    expect(() => readManifest(TO, files)).toThrow(`${TO}: no ${MANIFEST}; not a paddock backup`);
    const fd = files.open(`${TO}/${MANIFEST}`, "w");
    const text = new TextEncoder().encode(
      JSON.stringify({ format: 2, zxid: "0x1", snapshot: "", segments: [], epochs: [] }),
    );
    files.write(fd, text, 0, text.length, 0);
    files.close(fd);
    expect(() => readManifest(TO, files)).toThrow(FormatTooNewError);
    expect(() => readManifest(TO, files)).toThrow(`${TO}/${MANIFEST}: backup format version 2 is newer`);
  });

  it("refuses a target holding data, in either directory, naming the file", async () => {
    const files = await member([4]);
    await backup({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, to: TO, files });
    await expect(restore(TO, DATA_DIR, "/r/log", files)).rejects.toThrow(
      `${DATA_DIR} already holds acceptedEpoch; restore into an empty directory`,
    );
    await expect(restore(TO, "/r/data", LOG_DIR, files)).rejects.toThrow(
      `${LOG_DIR} already holds ${segmentName(z(1))}; restore into an empty directory`,
    );
    expect(files.readdir("/r/data")).toEqual([]);
    // One directory for both: fine when empty.
    await restore(TO, "/one", "/one", files);
    expect(files.readdir("/one")).toEqual(
      ["acceptedEpoch", "currentEpoch", segmentName(z(1)), snapshotName(z(4))].sort(),
    );
  });
});
