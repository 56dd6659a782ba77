import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import {
  closeAdminClients,
  type EnsembleCommand,
  ensemblePorts,
  memberMode,
  startEnsembleCommand,
} from "../support/ensemble-command-run.js";
import { exited } from "../support/launcher.js";
import { alive, refused } from "../support/process-probes.js";
import { waitUntil } from "../support/wait.js";

/**
 * `paddock ensemble` as a supervisor, with real processes: one voter plus an observer (restarts
 * with backoff, SIGHUP stops all), then five voters whose supervisor is killed with SIGKILL (the
 * members notice and stop: no orphans). The test sees only what an operator sees: the command's
 * output, pids, ports and signals.
 */
const DEADLINE_MS = 60_000;
const runs: EnsembleCommand[] = [];
const dirs: string[] = [];

async function start(voters: number, observers: number) {
  const ports = await ensemblePorts(voters + observers);
  const dir = mkdtempSync(join(tmpdir(), "paddock-supervision-"));
  dirs.push(dir);
  const args = ["--size", String(voters), "--observers", String(observers), "--dir", dir];
  args.push("--base-port", String(ports.base), "--quorum-port", String(ports.quorum));
  args.push("--admin-port", "0", "--metrics-port", "0");
  const run = await startEnsembleCommand(args, DEADLINE_MS);
  runs.push(run);
  const clientPort = (id: number): number => ports.base + id - 1;
  return { run, clientPort };
}

async function modeIs(run: EnsembleCommand, port: number, wanted: string): Promise<void> {
  let last: string | undefined;
  await waitUntil(
    `mode ${wanted} on ${port}`,
    async () => (last = await memberMode(port)) === wanted,
    DEADLINE_MS,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last ${last})\n${run.output()}`);
  });
}

async function allGone(run: EnsembleCommand, pids: number[], ports: number[]): Promise<void> {
  await waitUntil("every member's pid to be gone", () => pids.every((pid) => !alive(pid)), DEADLINE_MS).catch(
    (error: Error) => {
      throw new Error(`${error.message}: ${pids.filter(alive).join(",")} alive\n${run.output()}`);
    },
  );
  for (const port of ports) expect(await refused(port), `port ${port} freed`).toBe(true);
}

afterAll(async () => {
  closeAdminClients();
  for (const run of runs) await run.cleanUp();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("paddock ensemble --size 1 --observers 1", () => {
  let e: Awaited<ReturnType<typeof start>>;

  it("starts a voter that leads and an observer that serves writes", async () => {
    e = await start(1, 1);
    expect(e.run.stdout()).toMatch(/^member 1 \(voter\): /m);
    expect(e.run.stdout()).toMatch(/^member 2 \(observer\): /m);
    await modeIs(e.run, e.clientPort(1), "leader");
    await modeIs(e.run, e.clientPort(2), "observer");
    const client = await connect(`127.0.0.1:${e.clientPort(2)}`, { sessionTimeoutMs: 10_000 });
    try {
      await client.create("/through-observer", "x");
    } finally {
      await client.close();
    }
  });

  it("restarts a killed member after 1 s, then after 2 s when it dies again soon after", async () => {
    const first = e.run.pids().get(2)!;
    process.kill(first, "SIGKILL");
    await waitUntil("the restart", () => e.run.stdout().includes("(restart 1)"), DEADLINE_MS);
    expect(e.run.stderr()).toMatch(
      /\[member 2\] exited \(SIGKILL\) after [\d.]+ s; restarting in 1\.0 s \(restart 1\)/,
    );
    const second = e.run.pids().get(2)!;
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
    // Killed again within 10 s of its start: the backoff doubles.
    process.kill(second, "SIGKILL");
    await waitUntil("the second restart", () => e.run.stdout().includes("(restart 2)"), DEADLINE_MS);
    expect(e.run.stderr()).toMatch(
      /\[member 2\] exited \(SIGKILL\) after [\d.]+ s; restarting in 2\.0 s \(restart 2\)/,
    );
    await modeIs(e.run, e.clientPort(2), "observer");
  });

  it("stops every member and exits 0 on SIGHUP", async () => {
    const pids = [...e.run.pids().values()];
    e.run.child.kill("SIGHUP");
    await exited(e.run.child);
    expect(e.run.child.exitCode, e.run.output()).toBe(0);
    expect(e.run.stderr()).toContain("SIGHUP: stopping every member");
    await allGone(e.run, pids, [e.clientPort(1), e.clientPort(2)]);
  });
});

describe("paddock ensemble --size 5, supervisor killed with SIGKILL", () => {
  it("leaves no member behind: each notices its parent is gone and stops", async () => {
    const e = await start(5, 0);
    const ids = [1, 2, 3, 4, 5];
    await waitUntil(
      "every member answering srvr",
      async () =>
        (await Promise.all(ids.map((id) => memberMode(e.clientPort(id))))).every((m) => m !== undefined),
      DEADLINE_MS,
    );
    const pids = [...e.run.pids().values()];
    expect(pids).toHaveLength(5);
    e.run.child.kill("SIGKILL");
    await exited(e.run.child);
    await allGone(e.run, pids, ids.map(e.clientPort));
  });
});
