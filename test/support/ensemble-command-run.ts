import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { credentials, Metadata } from "@grpc/grpc-js";
import { AdminServiceClient } from "../../server/gen/paddock/v1/admin.js";
import { exited } from "./launcher.js";
import { alive } from "./process-probes.js";
import { repoRoot } from "./run-process.js";
import { waitUntil } from "./wait.js";

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    // No host: the IPv6 wildcard, dual-stack, which collides with any IPv4 or IPv6 binding.
    server.listen(port, () => server.close(() => done(true)));
  });
}

/**
 * A client port base and a quorum base for `members` members, below Linux's ephemeral range
 * (32768..), where no concurrently running test's outgoing connection can take one meanwhile.
 */
export async function ensemblePorts(members: number): Promise<{ base: number; quorum: number }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const quorum = base + 10;
    const ids = Array.from({ length: members }, (_, i) => i);
    const wanted = ids.flatMap((i) => [base + i, quorum + 1 + i, quorum + 1001 + i]);
    let free = true;
    for (const port of wanted) if (!(free = await portFree(port))) break;
    if (free) return { base, quorum };
  }
  throw new Error("no free port range for the ensemble");
}

/** `paddock ensemble …` as one child process (through bin/paddock.js), with what it printed. */
export interface EnsembleCommand {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  output(): string;
  /** Member id → its latest pid, from the start and restart lines on stdout. */
  pids(): Map<number, number>;
  /** Kills the command and any member still alive (after a failure only). */
  cleanUp(): Promise<void>;
}

export async function startEnsembleCommand(args: string[], deadlineMs = 60_000): Promise<EnsembleCommand> {
  const child = spawn(process.execPath, ["bin/paddock.js", "ensemble", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const output = (): string => `--- command stdout ---\n${stdout}\n--- command stderr ---\n${stderr}`;
  const pids = (): Map<number, number> => {
    const map = new Map<number, number>();
    for (const m of stdout.matchAll(/^member (\d+) \((?:voter|observer)\): \S+, pid (\d+),/gm)) {
      map.set(Number(m[1]), Number(m[2]));
    }
    return map;
  };
  const seen = new Set<number>();
  const handle: EnsembleCommand = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    output,
    pids: () => {
      const now = pids();
      for (const pid of now.values()) seen.add(pid);
      return now;
    },
    async cleanUp() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited(child);
      }
      for (const pid of [...seen, ...pids().values()]) if (alive(pid)) process.kill(pid, "SIGKILL");
    },
  };
  await waitUntil(
    "the command's connect string",
    () => {
      if (child.exitCode !== null) throw new Error(`ensemble exited with ${child.exitCode}\n${output()}`);
      return stdout.includes("connect string: ");
    },
    deadlineMs,
  );
  handle.pids();
  return handle;
}

const admins = new Map<number, AdminServiceClient>();

/** srvr's Mode line of the member on 127.0.0.1:port, undefined while it does not answer. */
export function memberMode(port: number): Promise<string | undefined> {
  let client = admins.get(port);
  if (client === undefined) {
    client = new AdminServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
    admins.set(port, client);
  }
  return new Promise((done) => {
    client.command(
      { command: "srvr" },
      new Metadata(),
      { deadline: Date.now() + 1000 },
      (error, response) => {
        done(error || response === undefined ? undefined : /^Mode: (\S+)/m.exec(response.output)?.[1]);
      },
    );
  });
}

export function closeAdminClients(): void {
  for (const client of admins.values()) client.close();
  admins.clear();
}
