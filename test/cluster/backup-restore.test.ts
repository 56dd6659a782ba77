import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { runProcess } from "../support/run-process.js";

/**
 * `paddock backup` of a live server while a client keeps writing, then `paddock restore` of it
 * into three new members started as an ensemble: the ensemble holds exactly the writes up to the
 * backup's zxid, every write acknowledged before the backup began among them.
 */
const paddock = (...args: string[]) =>
  runProcess(process.execPath, ["bin/paddock.js", ...args], {
    timeoutMs: 60_000,
    env: { ...process.env, PADDOCK_FROM_SOURCE: "1" },
  });

let server: ServerHandle | undefined;
let ensemble: Ensemble | undefined;
const clients: Client[] = [];

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await server?.stop();
  await ensemble?.stopAll();
});

const czxids = async (c: Client, prefix: string): Promise<Map<string, number>> => {
  const out = new Map<string, number>();
  for (const name of (await c.getChildren("/")).children.filter((n) => n.startsWith(prefix)))
    out.set(name, Number((await c.exists(`/${name}`))!.czxid));
  return out;
};

describe("backup and restore", () => {
  it("a live member's backup starts a new ensemble holding exactly the writes up to its zxid", async () => {
    server = await startServer({ settings: { snapCount: 40 } });
    const writer = await connect(server.address);
    clients.push(writer);
    for (let i = 0; i < 60; i++) await writer.create(`/before-${i}`, `v${i}`);
    let writing = true;
    let written = 0;
    const live = (async () => {
      while (writing) await writer.create(`/live-${written++}`, "x");
    })();

    const backupDir = join(mkdtempSync(join(tmpdir(), "paddock-backup-")), "b");
    const made = await paddock("backup", "--from", `127.0.0.1:${server.adminPort}`, "--to", backupDir);
    writing = false;
    await live;
    expect(made.code, made.stderr).toBe(0);
    const zxid = Number.parseInt(/up to zxid 0x([0-9a-f]+)/.exec(made.stdout)![1]!, 16);
    expect(made.stdout).toMatch(/: \d+ znodes at 0x[0-9a-f]+ plus \d+ logged transactions\n$/);

    // The same backup into three new members' directories, each with its myid.
    const dirs = new Map<number, string>();
    for (const id of [1, 2, 3]) {
      const dir = mkdtempSync(join(tmpdir(), `paddock-restored-${id}-`));
      const restored = await paddock("restore", "--from", backupDir, "--data-dir", dir);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toContain(`restored zxid 0x${zxid.toString(16)}`);
      writeFileSync(join(dir, "myid"), `${id}\n`);
      dirs.set(id, dir);
    }
    const again = await paddock("restore", "--from", backupDir, "--data-dir", dirs.get(1)!);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds .*; restore into an empty directory/);

    ensemble = await startEnsemble({ voters: 3, memberSettings: (id) => ({ dataDir: dirs.get(id)! }) });
    await ensemble.waitForLeader({ timeoutMs: 30_000 });
    const restored = await connect(ensemble.connectString, { sessionTimeoutMs: 30_000 });
    clients.push(restored);
    await restored.sync("/");
    const original = await czxids(writer, "live-");
    const copy = await czxids(restored, "live-");
    const upToBackup = [...original].filter(([, c]) => c <= zxid).map(([n]) => n);
    expect([...copy.keys()].sort()).toEqual(upToBackup.sort());
    expect((await czxids(restored, "before-")).size).toBe(60);
    expect(Buffer.from((await restored.getData("/before-59")).data).toString()).toBe("v59");
    await restored.create("/after-restore", "y");
  });
});
