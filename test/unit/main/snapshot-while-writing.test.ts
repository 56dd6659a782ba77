import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Snapshotter } from "../../../server/main/durability.js";
import { defaultConfig } from "../../../server/main/server-config.js";
import { listSnapshots, readSnapshot } from "../../../server/persistence/snapshot.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Code } from "../../../server/util/error-code.js";
import { Prng } from "../../../server/util/prng.js";
import { create, del, E, setData, txn } from "../tree/txns.js";

// The Snapshotter writes a snapshot in chunks and lets writes apply between them (a large tree
// used to stall every request while its nodes were copied). The file must still hold the tree
// exactly as it was at the snapshot's zxid: its digest, recomputed from the file, proves it.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("a snapshot taken while writes apply", () => {
  it("holds the tree at its zxid, though writes applied between its chunks", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "paddock-snap-writing-"));
    dirs.push(dataDir);
    const tree = new DataTree();
    let zxid = E;
    const value = "v".repeat(100);
    tree.apply(txn(++zxid, create("/t")));
    for (let i = 0; i < 30_000; i++) tree.apply(txn(++zxid, create(`/t/n${i}`, value)));
    const sessions = new SessionTable({
      tickMs: 100,
      minTimeoutMs: 1,
      maxTimeoutMs: 60_000,
      sessionsMax: 10,
    });
    const logged: string[] = [];
    const config = { ...defaultConfig(), dataDir, snapCount: 1_000_000, purgeIntervalHours: 0 };
    const snapshotter = new Snapshotter(config, tree, sessions, (level, m) => logged.push(`${level} ${m}`));
    const at = { zxid: tree.lastZxid, digest: tree.digest, count: tree.nodeCount };

    let finished = false;
    const taken = snapshotter.take().then(() => {
      finished = true;
    });
    const rng = new Prng(7);
    let turnsWithWrites = 0;
    for (let next = 30_000; !finished; turnsWithWrites++) {
      for (let k = 0; k < 50; k++) {
        const victim = `/t/n${rng.below(next)}`;
        const roll = rng.below(3);
        const body =
          roll === 0
            ? create(`/t/n${next++}`, "new")
            : roll === 1
              ? del(victim)
              : setData(victim, `changed ${zxid}`, zxid & 0xffff);
        expect([Code.OK, Code.NoNode]).toContain(tree.apply(txn(++zxid, body)).code);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await taken;
    expect(logged.filter((m) => m.startsWith("error"))).toEqual([]);
    // Writes went on while the snapshot was written (its chunks are 256 KiB, the tree over 3 MiB).
    expect(turnsWithWrites).toBeGreaterThan(3);
    expect(tree.digest).not.toBe(at.digest);

    const files = listSnapshots(dataDir);
    expect(files.map((f) => f.zxid)).toEqual([at.zxid]);
    const loaded = await readSnapshot(files[0]!.file);
    expect(loaded.header.digest).toBe(at.digest);
    expect(loaded.nodes.length).toBe(at.count);
    expect(DataTree.restore(loaded.acls, loaded.nodes, at.zxid).digest).toBe(at.digest);
  });
});
