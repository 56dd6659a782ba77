import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exited, waitForFile } from "../support/launcher.js";
import { alive, procStat, refused } from "../support/process-probes.js";
import { repoRoot } from "../support/run-process.js";
import { waitUntil } from "../support/wait.js";

/**
 * `npx paddock server` as an operator runs it: npm between the test and the server. The signal goes
 * to the npx process only (not a process group, as `kill <pid>` or a service manager sends it), and
 * the test checks the server's pid and its port, not npm's exit.
 */
const DEADLINE_MS = 30_000;
const started: { npx: ChildProcess; pid: number; dir: string }[] = [];

async function startThroughNpx(env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), "paddock-npx-"));
  const readyFile = join(dir, "ready.json");
  const args = ["paddock", "server", "--host", "127.0.0.1", "--port", "0"];
  args.push("--data-dir", dir, "--ready-file", readyFile);
  args.push("--set", "admin.serverPort=0", "--set", "metricsProvider.httpPort=0");
  const npx = spawn("npx", args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  npx.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  await waitForFile(readyFile, npx, DEADLINE_MS, () => stderr);
  const { port, pid } = JSON.parse(readFileSync(readyFile, "utf8")) as { port: number; pid: number };
  started.push({ npx, pid, dir });
  return { npx, port, pid, log: () => stderr };
}

async function expectStopped(server: { npx: ChildProcess; port: number; pid: number; log: () => string }) {
  await waitUntil("the server process to be gone", () => !alive(server.pid), DEADLINE_MS).catch(
    (error: Error) => {
      throw new Error(`${error.message}\n${server.log()}`);
    },
  );
  expect(await refused(server.port), `port ${server.port} freed`).toBe(true);
  await exited(server.npx);
}

afterEach(async () => {
  // Only after a failure is anything left: no server may outlive the test.
  for (const { npx, pid, dir } of started.splice(0)) {
    if (alive(pid)) process.kill(pid, "SIGKILL");
    if (npx.exitCode === null && npx.signalCode === null) npx.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("npx paddock server and signals", () => {
  // The project's .npmrc makes npm start commands through bash, which execs: no shell in between.
  it.each(["SIGTERM", "SIGINT"] as const)("%s to the npx process stops the server", async (signal) => {
    const server = await startThroughNpx();
    expect(procStat(server.pid).ppid, "the server is npm's own child").toBe(server.npx.pid);
    server.npx.kill(signal);
    await expectStopped(server);
    expect(server.log()).toContain(`${signal}: shutting down`);
  });

  // npm's default elsewhere: /bin/sh between npm and the server. npm forwards the signal to the
  // shell only; the server sees its parent (or the shell's parent) go and stops itself.
  it.each(["SIGTERM", "SIGKILL"] as const)(
    "%s to npx with sh in between: the server notices its launcher is gone and stops",
    async (signal) => {
      const server = await startThroughNpx({ npm_config_script_shell: "/bin/sh" });
      expect(procStat(procStat(server.pid).ppid).comm, "sh between npm and the server").toBe("sh");
      server.npx.kill(signal);
      await expectStopped(server);
      expect(server.log()).toContain("is gone; stopping");
    },
  );
});
