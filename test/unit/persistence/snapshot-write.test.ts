import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SnapshotNode } from "../../../server/gen/paddock/internal/v1/snapshot.js";
import {
  encodeSnapshot,
  encodeSnapshotAsync,
  installSnapshotBytes,
  listSnapshots,
  listSnapshotTemps,
  parseSnapshotName,
  readSnapshot,
  type SnapshotInput,
  snapshotName,
  writeSnapshot,
} from "../../../server/persistence/snapshot.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { DATA_DIR, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

// How a snapshot reaches the disk: its names, the chunks it is written in, the order of write,
// fsync, rename and directory fsync, what a failure leaves behind, and a learner's SNAP install.

/** MemFiles, with the descriptors still open and every write's position and length recorded. */
class Recording extends MemFiles {
  readonly open_ = new Set<number>();
  readonly writes: { position: number; length: number }[] = [];
  /** A second close of a descriptor: on a real disk it may close a file opened since under that number. */
  closesOfClosed = 0;
  override open(path: string, flags: "r" | "r+" | "wx" | "w"): number {
    const fd = super.open(path, flags);
    this.open_.add(fd);
    return fd;
  }
  override close(fd: number): void {
    // Counted, not thrown: the code under test swallows errors from close on its failure path.
    if (!this.open_.delete(fd)) this.closesOfClosed++;
    super.close(fd);
  }
  override write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const n = super.write(fd, buffer, offset, length, position);
    this.writes.push({ position, length: n });
    return n;
  }
}

function node(i: number, dataBytes = 4): SnapshotNode {
  return {
    path: i === 0 ? "/" : `/n${i}`,
    data: Buffer.alloc(dataBytes, i & 0xff),
    aclRef: 0,
    czxid: BigInt(i),
    mzxid: BigInt(i),
    ctime: 0n,
    mtime: 0n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 0n,
  };
}

function input(nodes: SnapshotNode[], zxid = z(9)): SnapshotInput {
  return {
    zxid,
    digest: 0x77n,
    acls: [{ ref: 0, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }] }],
    nodes,
    sessions: [{ sessionId: 3n, timeoutMs: 5000, password: Buffer.alloc(16, 2) }],
    nodeCount: nodes.length,
  };
}

const mkdirp = (dir: string): string => {
  mkdirSync(dir, { recursive: true });
  return dir;
};

const FINAL = `${DATA_DIR}/${snapshotName(z(9))}`;
const TEMP = `${FINAL}.tmp`;

const journalOf = (files: MemFiles): string[] => files.journal.filter((j) => !j.startsWith("write "));

describe("snapshot names", () => {
  it("snapshot.<lowercase hex zxid>, 1 to 14 digits, nothing before or after", () => {
    expect(snapshotName(0x1_0000_002a)).toBe("snapshot.10000002a");
    expect(parseSnapshotName("snapshot.10000002a")).toBe(0x1_0000_002a);
    expect(parseSnapshotName("snapshot.0")).toBe(0);
    expect(parseSnapshotName("snapshot.1fffffffffffff")).toBe(2 ** 53 - 1);
    for (const name of [
      "snapshot.",
      "snapshot.10000002A",
      "snapshot.1fffffffffffff0",
      "snapshot.1.tmp",
      "snapshot.x1",
      "snapshot.1x",
      "xsnapshot.1",
      "abcdefgh.1a",
      "log.1",
    ]) {
      expect(parseSnapshotName(name), name).toBeUndefined();
    }
  });

  it("listSnapshots: newest first, other names and temp files left out", async () => {
    const files = new MemFiles();
    for (const c of [1, 0x10, 0xf, 2]) await writeSnapshot(DATA_DIR, input([node(0)], z(c)), files);
    files.close(files.open(`${DATA_DIR}/snapshot.${z(20).toString(16)}.tmp`, "w"));
    files.close(files.open(`${DATA_DIR}/notes.txt`, "w"));
    expect(listSnapshots(DATA_DIR, files)).toEqual(
      [0x10, 0xf, 2, 1].map((c) => ({ file: `${DATA_DIR}/${snapshotName(z(c))}`, zxid: z(c) })),
    );
  });

  it("listSnapshotTemps: only snapshot.<hex>.tmp (never a snapshot whose name would read as one without the suffix)", () => {
    const files = new MemFiles();
    files.mkdir(DATA_DIR);
    for (const name of [
      "snapshot.1a.tmp",
      "snapshot.12345",
      "snapshot.1a",
      "snapshot.zz.tmp",
      "other.tmp",
      "snapshot.2.tmpx",
      "snapshot.3.tmp",
    ])
      files.close(files.open(`${DATA_DIR}/${name}`, "w"));
    expect(listSnapshotTemps(DATA_DIR, files)).toEqual([
      { file: `${DATA_DIR}/snapshot.1a.tmp`, zxid: 0x1a },
      { file: `${DATA_DIR}/snapshot.3.tmp`, zxid: 3 },
    ]);
  });
});

describe("writeSnapshot", () => {
  it("writes the temp file, fsyncs it, renames it and fsyncs the directory, in that order", async () => {
    const files = new Recording();
    expect(await writeSnapshot(DATA_DIR, input([node(0), node(1)]), files)).toBe(FINAL);
    expect(journalOf(files)).toEqual([
      `open ${TEMP}`,
      `fsync ${TEMP}`,
      `rename ${TEMP} -> ${FINAL}`,
      `fsyncDir ${DATA_DIR}`,
    ]);
    expect([files.open_.size, files.closesOfClosed]).toEqual([0, 0]);
    expect(files.readdir(DATA_DIR)).toEqual([snapshotName(z(9))]);
    // Durable as it stands: a crash now keeps it.
    files.crash();
    files.reboot();
    expect((await readSnapshot(FINAL, files)).nodes.length).toBe(2);
  });

  it("writes chunks of 4,096 records, each at the end of the last, the bytes of encodeSnapshot", async () => {
    const files = new Recording();
    const nodes = Array.from({ length: 10_000 }, (_, i) => node(i));
    await writeSnapshot(DATA_DIR, input(nodes), files);
    // header + ACL + 10,000 nodes + session + END = 10,004 records: full at 4,096 and 8,192.
    expect(files.writes.length).toBe(3);
    expect(files.writes.map((w) => w.position)).toEqual([
      0,
      files.writes[0]!.length,
      files.writes[0]!.length + files.writes[1]!.length,
    ]);
    const bytes = files.readFile(FINAL);
    expect(Buffer.from(bytes).equals(Buffer.from(encodeSnapshot(input(nodes))))).toBe(true);
    const snap = await readSnapshot(FINAL, files);
    expect(snap.nodes.map((n) => n.path)).toEqual(nodes.map((n) => n.path));
  });

  it("counts every frame toward a chunk's 4,096 records, the header frame included", async () => {
    const files = new Recording();
    const nodes = Array.from({ length: 5000 }, (_, i) => node(i));
    const bare = { ...input(nodes), acls: [], sessions: [] };
    await writeSnapshot(DATA_DIR, bare, files);
    // The first chunk: the file header, HEADER and 4,095 nodes; the END frame (36 bytes) is not in it.
    const prefix = encodeSnapshot({ ...bare, nodes: nodes.slice(0, 4095) });
    expect(files.writes.map((w) => w.length)).toEqual([
      prefix.length - 36,
      files.readFile(FINAL).length - prefix.length + 36,
    ]);
  });

  it("on the real disk: replaces a stale temp file a crash left, and installs a SNAP", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-snapw-"));
    try {
      const final = join(dir, snapshotName(z(9)));
      writeFileSync(`${final}.tmp`, Buffer.alloc(100_000, 0xee));
      const i = input([node(0), node(1)]);
      expect(await writeSnapshot(dir, i)).toBe(final);
      expect(readdirSync(dir)).toEqual([snapshotName(z(9))]);
      expect(Buffer.from(readFileSync(final)).equals(Buffer.from(encodeSnapshot(i)))).toBe(true);
      expect((await readSnapshot(final)).nodes.length).toBe(2);
      const other = join(dir, "learner");
      const bytes = encodeSnapshot(i);
      writeFileSync(join(mkdirp(other), `${snapshotName(z(9))}.tmp`), Buffer.alloc(100_000, 0xee));
      const { file } = await installSnapshotBytes(other, z(9), bytes);
      expect(Buffer.from(readFileSync(file)).equals(Buffer.from(bytes))).toBe(true);
      expect(readdirSync(other)).toEqual([snapshotName(z(9))]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes a chunk once it holds 256 KiB, and grows its buffer for a node larger than that", async () => {
    const files = new Recording();
    const nodeBytes = 1000;
    const nodes = [
      ...Array.from({ length: 600 }, (_, i) => node(i, nodeBytes)),
      node(600, 3 * 1024 * 1024),
      node(601, 1),
    ];
    await writeSnapshot(DATA_DIR, input(nodes), files);
    const chunk = 256 * 1024;
    const sizes = files.writes.map((w) => w.length);
    // Every chunk but the last two holds at least 256 KiB and less than one more node.
    for (const size of sizes.slice(0, -2)) {
      expect(size).toBeGreaterThanOrEqual(chunk);
      expect(size).toBeLessThan(chunk + nodeBytes + 32);
    }
    expect(sizes.length).toBe(4);
    // The big node fills a chunk of its own past the buffer's first size.
    expect(sizes[2]).toBeGreaterThan(3 * 1024 * 1024);
    const bytes = files.readFile(FINAL);
    expect(Buffer.from(bytes).equals(Buffer.from(encodeSnapshot(input(nodes))))).toBe(true);
    const read = await readSnapshot(FINAL, files);
    expect(read.nodes.map((n) => n.data.length)).toEqual(nodes.map((n) => n.data.length));
    expect(Buffer.from(read.nodes[600]!.data).equals(Buffer.from(nodes[600]!.data))).toBe(true);
  });

  it("encodeSnapshotAsync gives encodeSnapshot's bytes, letting the event loop run between chunks", async () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) => node(i, 100));
    let done = false;
    let ranMeanwhile = false;
    const encoding = encodeSnapshotAsync(input(nodes)).then((bytes) => {
      done = true;
      return bytes;
    });
    // Queued after the encoder's first yield: it runs before the encoding ends only if it yields.
    setImmediate(() => {
      ranMeanwhile = !done;
    });
    const bytes = await encoding;
    expect(ranMeanwhile).toBe(true);
    expect(Buffer.from(bytes).equals(Buffer.from(encodeSnapshot(input(nodes))))).toBe(true);
  });

  it("fsyncs a large snapshot every 8 MiB written, not only at the end", async () => {
    const files = new Recording();
    const nodeBytes = 1000;
    const nodes = Array.from({ length: 20_000 }, (_, i) => node(i, nodeBytes));
    await writeSnapshot(DATA_DIR, input(nodes), files);
    // The journal in order; each write's length from the recording, in the same order.
    const lengths = files.writes.map((w) => w.length);
    const between: number[] = [];
    let bytes = 0;
    for (const entry of files.journal) {
      if (entry === `write ${TEMP}`) bytes += lengths.shift()!;
      else if (entry === `fsync ${TEMP}`) {
        between.push(bytes);
        bytes = 0;
      }
    }
    const mib8 = 8 * 1024 * 1024;
    // About 20 MB: two fsyncs at 8 MiB each (within one chunk past it), then the final one.
    expect(between.length).toBe(3);
    for (const n of between.slice(0, -1)) {
      expect(n).toBeGreaterThanOrEqual(mib8);
      expect(n).toBeLessThan(mib8 + 256 * 1024 + nodeBytes + 32);
    }
    expect(between.reduce((a, b) => a + b, 0)).toBe(files.readFile(FINAL).length);
    expect(Buffer.from(files.readFile(FINAL)).equals(Buffer.from(encodeSnapshot(input(nodes))))).toBe(true);
  });

  it("the header's node count is the input's; END counts what was written", async () => {
    const files = new MemFiles();
    await writeSnapshot(DATA_DIR, { ...input([node(0), node(1)]), nodeCount: 7 }, files);
    const snap = await readSnapshot(FINAL, files);
    expect(snap.header.nodeCount).toBe(7n);
    expect(snap.nodes.length).toBe(2);
  });

  for (const op of ["write", "fsync", "rename"] as const) {
    it(`a failing ${op} rejects with its error, closes the file once and leaves no file`, async () => {
      const files = new Recording();
      files.faults.push({ op, effect: { kind: "error", code: "EIO" } });
      const target = op === "rename" ? `${TEMP} -> ${FINAL}` : TEMP;
      await expect(writeSnapshot(DATA_DIR, input([node(0)]), files)).rejects.toThrow(
        `EIO: ${op} ${target} (injected)`,
      );
      expect([files.open_.size, files.closesOfClosed]).toEqual([0, 0]);
      expect(files.readdir(DATA_DIR)).toEqual([]);
      expect(journalOf(files).at(-1)).toBe(`unlink ${TEMP}`);
    });
  }

  it("a failing directory fsync rejects with its error and leaves the renamed file", async () => {
    const files = new Recording();
    files.faults.push({ op: "fsyncDir", effect: { kind: "error", code: "EIO" } });
    await expect(writeSnapshot(DATA_DIR, input([node(0)]), files)).rejects.toThrow(
      `EIO: fsyncDir ${DATA_DIR} (injected)`,
    );
    expect([files.open_.size, files.closesOfClosed]).toEqual([0, 0]);
    expect(files.readdir(DATA_DIR)).toEqual([snapshotName(z(9))]);
  });

  it("an unlink failing after a failed write: the write's error is the one reported", async () => {
    const files = new Recording();
    files.faults.push({ op: "write", effect: { kind: "error", code: "ENOSPC" } });
    files.faults.push({ op: "unlink", effect: { kind: "error", code: "EIO" } });
    await expect(writeSnapshot(DATA_DIR, input([node(0)]), files)).rejects.toThrow(
      `ENOSPC: write ${TEMP} (injected)`,
    );
    expect([files.open_.size, files.closesOfClosed]).toEqual([0, 0]);
    // The leftover temp file: ignored by readers, removed by purge.
    expect(listSnapshots(DATA_DIR, files)).toEqual([]);
    expect(listSnapshotTemps(DATA_DIR, files)).toEqual([{ file: TEMP, zxid: z(9) }]);
  });
});

describe("installSnapshotBytes (a learner's SNAP)", () => {
  it("checks the bytes, then writes them durably under the snapshot's name", async () => {
    const files = new Recording();
    const bytes = encodeSnapshot(input([node(0), node(1)]));
    const { file, snapshot } = await installSnapshotBytes(DATA_DIR, z(9), bytes, files);
    expect(file).toBe(FINAL);
    expect(snapshot.file).toBe(FINAL);
    expect(snapshot.nodes.map((n) => n.path)).toEqual(["/", "/n1"]);
    expect(journalOf(files)).toEqual([
      `open ${TEMP}`,
      `fsync ${TEMP}`,
      `rename ${TEMP} -> ${FINAL}`,
      `fsyncDir ${DATA_DIR}`,
    ]);
    expect([files.open_.size, files.closesOfClosed]).toEqual([0, 0]);
    files.crash();
    files.reboot();
    expect(Buffer.from(files.readFile(FINAL)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses the state at another zxid, and damaged bytes, writing nothing", async () => {
    const files = new Recording();
    const bytes = encodeSnapshot(input([node(0)], z(1)));
    const wrong = await installSnapshotBytes(DATA_DIR, z(2), bytes, files).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(StorageCorruptionError);
    expect((wrong as Error).message).toBe(
      `${DATA_DIR}/${snapshotName(z(2))} damaged at offset 16: header zxid 0x100000001 does not match the file name`,
    );
    const damaged = bytes.slice();
    damaged[30]! ^= 1;
    await expect(installSnapshotBytes(DATA_DIR, z(1), damaged, files)).rejects.toThrow(
      StorageCorruptionError,
    );
    expect(files.readdir(DATA_DIR)).toEqual([]);
    expect(journalOf(files)).toEqual([]);
  });

  it("a failing fsync closes the file and renames nothing", async () => {
    const files = new Recording();
    files.faults.push({ op: "fsync", effect: { kind: "error", code: "EIO" } });
    await expect(
      installSnapshotBytes(DATA_DIR, z(9), encodeSnapshot(input([node(0)])), files),
    ).rejects.toThrow(`EIO: fsync ${TEMP} (injected)`);
    expect([files.open_.size, files.closesOfClosed]).toEqual([0, 0]);
    expect(listSnapshots(DATA_DIR, files)).toEqual([]);
  });
});
