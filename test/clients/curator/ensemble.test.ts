import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Ensemble, startEnsemble } from "../../support/ensemble.js";
import { repoRoot } from "../../support/run-process.js";
import { javaArgs, type Outcome, parseOutcomes, requireCurator, srvrMode } from "./runner.js";

// A three-member Paddock ensemble; Curator clients (java/CuratorRunner.java, `ensemble` mode) whose
// connect string lists the followers first (kept in that order) contend for an InterProcessMutex
// in a loop and run two LeaderLatch participants; the test kills -9 the leader. The lock never has
// two holders, the latch never two leaders, and both make progress under the new leader.
let ensemble: Ensemble | undefined;

beforeAll(async () => {
  requireCurator();
  ensemble = await startEnsemble({ voters: 3 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

/** The leader by `srvr` over raw TCP on every member's client port, once exactly one leads. */
async function leaderBySrvr(e: Ensemble, live: number[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  for (;;) {
    const modes = await Promise.all(live.map((id) => srvrMode(e.members[id - 1]!.address)));
    seen = live.map((id, i) => `${id}:${modes[i]}`).join(" ");
    const leaders = live.filter((_, i) => modes[i] === "leader");
    if (leaders.length === 1 && modes.every((m) => m === "leader" || m === "follower")) return leaders[0]!;
    if (Date.now() > deadline) throw new Error(`no single leader by srvr within ${timeoutMs} ms (${seen})`);
    await new Promise((r) => setTimeout(r, 50)); // poll interval under a deadline
  }
}

describe("Curator against a three-member Paddock ensemble, leader killed", () => {
  it("mutex: one holder at a time; LeaderLatch: one leader at a time; both progress after failover", async () => {
    const e = ensemble!;
    const ids = e.members.map((m) => m.id);
    const leader = await leaderBySrvr(e, ids, 20_000);
    expect(await e.waitForLeader({ timeoutMs: 5000 })).toBe(leader); // srvr over gRPC agrees
    const followers = ids.filter((id) => id !== leader);
    const address = (id: number): string => e.members[id - 1]!.address;
    // The followers first: the runner keeps this order (no shuffle), so it prefers a follower.
    const connectString = [...followers, leader].map(address).join(",");

    const child = spawn(
      "java",
      [...javaArgs, "ensemble", connectString, `/curator-ensemble-${process.pid}`],
      {
        cwd: repoRoot,
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const running = new Promise<Outcome>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        stdout += c;
        const line = parseOutcomes(stdout).find((o) => o.check === "running" || o.check === "crash");
        if (line?.check === "running") resolve(line);
        else if (line !== undefined) reject(new Error(`runner crashed: ${JSON.stringify(line)}\n${stderr}`));
      });
      child.on("close", (code) =>
        reject(new Error(`runner exited ${code} before running\n${stdout}\n${stderr}`)),
      );
    });
    const deadline = (ms: number, what: string): Promise<never> =>
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`${what} not within ${ms} ms\n${stdout}\n${stderr}`)), ms).unref(),
      );
    try {
      const started = await Promise.race([running, deadline(40_000, "runner running")]);
      const { remotePorts } = started.value as { remotePorts: string[] };
      // Every client (setup, two mutex contenders, two latch participants) is on the first follower.
      const preferred = String(e.members[followers[0]! - 1]!.clientPort);
      expect(remotePorts).toEqual(Array(5).fill(preferred));

      await e.kill(leader);
      const killedAt = Date.now();
      child.stdin.write("killed\n");
      const newLeader = await leaderBySrvr(e, followers, 20_000);
      const electedMs = Date.now() - killedAt;
      expect(followers).toContain(newLeader);

      const code = await Promise.race([exited, deadline(90_000, "runner finished")]);
      const outcomes = parseOutcomes(stdout);
      console.log(
        `leader ${leader} killed; ${newLeader} leads by srvr after ${electedMs} ms; runner: ${outcomes
          .filter((o) => o.check !== "running")
          .map((o) => `${o.check}=${JSON.stringify(o.value)}`)
          .join(" ")}`,
      );
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      const check = (name: string): unknown => outcomes.find((o) => o.check === name)?.value;
      expect(check("max-simultaneous-lock-holders")).toBe(1);
      expect(check("max-simultaneous-leaders")).toBe(1);
      const progress = check("mutex-progress-after-kill") as { before: number[]; after: number[] };
      expect(progress.after[0]).toBeGreaterThanOrEqual(progress.before[0]! + 3);
      expect(progress.after[1]).toBeGreaterThanOrEqual(progress.before[1]! + 3);
      expect(check("latch-handoff-after-kill")).toEqual({ electionsSinceKill: true });
      // The followers end their client streams when the leader dies (README, Failures): every
      // client is suspended and reconnects, and its session survives (no LOST).
      const states = check("connection-states-after-kill") as string[][];
      expect(states).toHaveLength(5);
      for (const s of states) {
        expect(s).toContain("RECONNECTED");
        expect(s).not.toContain("LOST");
      }
      const after = check("remote-ports-after") as string[];
      const live = followers.map((id) => String(e.members[id - 1]!.clientPort));
      for (const port of after) expect(live).toContain(port);
      expect(code, stderr.slice(-3000)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
