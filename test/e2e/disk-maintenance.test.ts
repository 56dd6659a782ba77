import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";

// Autopurge on by default (autopurge.purgeInterval=1, snapRetainCount=3) and
// fsync.warningthresholdms, each against a real server process and its real files.

let server: ServerHandle | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.stop();
  server = undefined;
});

const named = (dir: string, prefix: string): string[] =>
  readdirSync(dir).filter((f) => f.startsWith(prefix) && !f.endsWith(".tmp"));

async function writes(address: string, prefix: string, count: number): Promise<void> {
  client = await connect(address);
  for (let i = 0; i < count; i++) await client.create(`/${prefix}-${i}`, "x".repeat(100));
  await client.close();
  client = undefined;
}

describe("autopurge, on by default", () => {
  it("keeps 3 snapshots and the logs they need while serving, with no autopurge key set", async () => {
    // snapCount 4: a snapshot every 2-3 transactions. Each start opens a new log segment.
    server = await startServer({ settings: { snapCount: 4 } });
    await writes(server.address, "first", 20);
    await server.stop();
    const dataDir = server.dataDir;
    const firstSegments = named(dataDir, "log.");
    expect(firstSegments).toHaveLength(1);
    server = await server.restart();
    await writes(server.address, "second", 40);
    // Purge follows each snapshot: the first run's segment goes once 3 newer snapshots exist.
    await waitUntil(
      "old snapshots and the first segment purged",
      () => named(dataDir, "snapshot.").length === 3 && !named(dataDir, "log.").includes(firstSegments[0]!),
    );
    expect(named(dataDir, "log.").length).toBeGreaterThanOrEqual(1);
    expect(server.log()).toMatch(/INFO purged \d+ files: .*snapshot\./);
    // Still serving what the purged files held.
    client = await connect(server.address);
    expect(Buffer.from((await client.getData("/first-0")).data).toString()).toBe("x".repeat(100));
    // And a restart recovers from what is left.
    await client.close();
    client = undefined;
    await server.stop();
    server = await server.restart();
    client = await connect(server.address);
    expect((await client.getChildren("/")).children.filter((c) => c.startsWith("second-"))).toHaveLength(40);
  });

  it("autopurge.purgeInterval=0 turns it off, as in ZooKeeper", async () => {
    server = await startServer({ settings: { snapCount: 4, "autopurge.purgeInterval": 0 } });
    await writes(server.address, "kept", 30);
    await waitUntil("more than 3 snapshots on disk", () => named(server!.dataDir, "snapshot.").length > 3);
    expect(server.log()).not.toContain("purged");
  });
});

describe("fsync.warningthresholdms", () => {
  it("a group commit slower than the threshold logs a warning and counts", async () => {
    // The test disk delays every fdatasync by 100 ms (server/persistence/test-seam-disk.ts).
    server = await startServer({
      env: { PADDOCK_TEST_DISK: "fsyncDelayMs=100" },
      settings: { "fsync.warningthresholdms": 20 },
    });
    await writes(server.address, "slow", 2);
    expect(server.log()).toMatch(
      /WARN fsync of the transaction log in .* took \d+ ms \(fsync.warningthresholdms 20\) for \d+ records/,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    const counted = Number(/^paddock_fsync_threshold_exceed_count (\d+)$/m.exec(metrics)?.[1]);
    expect(counted).toBeGreaterThanOrEqual(2);
    const srvr = (await (await fetch(`http://127.0.0.1:${server.adminPort}/commands/srvr`)).json()) as {
      server_stats: { fsync_threshold_exceed_count: number };
    };
    expect(srvr.server_stats.fsync_threshold_exceed_count).toBe(counted);
  });
});
