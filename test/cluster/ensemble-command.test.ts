import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, NodeExistsError } from "../../clients/ts/src/index.js";
import { AdminServiceClient } from "../../server/gen/paddock/v1/admin.js";
import { exited } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";

/**
 * `paddock ensemble` end to end: ONE child process (the command), which starts the three member
 * processes itself. The test only sees what an operator sees: the command's output, the data
 * directory, the client ports, the members' pids (printed by the command) and signals.
 * One ensemble serves every case, in order: up, layout, kill -9 of a follower, Ctrl-C.
 */
const root = resolve(import.meta.dirname, "../..");
const SIZE = 3;
const DEADLINE_MS = 30_000;

interface Ports {
  /** Client ports base..base+SIZE-1. */
  readonly base: number;
  /** Quorum ports quorum+1..quorum+SIZE, election ports quorum+1001..quorum+1000+SIZE. */
  readonly quorum: number;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    // No host: the IPv6 wildcard, dual-stack, which collides with any IPv4 or IPv6 binding.
    server.listen(port, () => server.close(() => done(true)));
  });
}

/**
 * Fixed ports for the command, below Linux's ephemeral range (32768..): there, no outgoing
 * connection of a concurrently running test (which the kernel places in the ephemeral range, as
 * it does listen(0)) can take one between this check and the members binding them.
 */
async function freePorts(): Promise<Ports> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const quorum = base + 10;
    const wanted = [
      ...Array.from({ length: SIZE }, (_, i) => base + i),
      ...Array.from({ length: SIZE }, (_, i) => quorum + 1 + i),
      ...Array.from({ length: SIZE }, (_, i) => quorum + 1001 + i),
    ];
    let free = true;
    for (const port of wanted) {
      if (!(await portFree(port))) {
        free = false;
        break;
      }
    }
    if (free) return { base, quorum };
  }
  throw new Error("no free port range for the ensemble");
}

/** True once nothing accepts connections on 127.0.0.1:port. */
function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(false);
    });
    socket.once("error", () => done(true));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

const admins = new Map<number, AdminServiceClient>();

/** srvr's Mode line of the member on 127.0.0.1:port, undefined while it does not answer. */
function mode(port: number): Promise<string | undefined> {
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

async function modes(ports: number[]): Promise<(string | undefined)[]> {
  return Promise.all(ports.map(mode));
}

/**
 * A write through `servers` that is read back, retried (fresh session) until the deadline. A create
 * that was applied although its reply was lost makes the retry's create fail with NodeExists.
 */
async function writeAndReadBack(servers: string, path: string, value: string): Promise<void> {
  let last: unknown;
  let read = "";
  await waitUntil(
    `a write and read back of ${path} through ${servers}`,
    async () => {
      try {
        const client = await connect(servers, { sessionTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
        try {
          await client.create(path, value).catch((error: unknown) => {
            if (!(error instanceof NodeExistsError)) throw error;
          });
          read = new TextDecoder().decode((await client.getData(path)).data);
          return true;
        } finally {
          await client.close();
        }
      } catch (error) {
        last = error;
        return false;
      }
    },
    DEADLINE_MS,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last error: ${String(last)}\n${output()}`);
  });
  expect(read, `${path} read back through ${servers}`).toBe(value);
}

let ports: Ports;
let dir: string;
let command: ChildProcess;
let stdout = "";
let stderr = "";
/** Member id → pid, from the command's "member N (...): host:port, pid P, ..." lines. */
const pids = new Map<number, number>();
const output = (): string => `--- command stdout ---\n${stdout}\n--- command stderr ---\n${stderr}`;
const clientPort = (id: number): number => ports.base + id - 1;
const ids = Array.from({ length: SIZE }, (_, i) => i + 1);

beforeAll(async () => {
  ports = await freePorts();
  dir = mkdtempSync(join(tmpdir(), "paddock-ensemble-command-"));
  const args = ["--import", "tsx", join(root, "server/main/cli.ts"), "ensemble", "--size", String(SIZE)];
  args.push("--dir", dir, "--base-port", String(ports.base), "--quorum-port", String(ports.quorum));
  // Any free AdminServer and /metrics ports: tests never take the documented 8080 and 7000.
  args.push("--admin-port", "0", "--metrics-port", "0");
  // The member killed below stays down (restarts: test/cluster/ensemble-supervision.test.ts).
  args.push("--no-restart");
  command = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  command.stdout?.setEncoding("utf8");
  command.stderr?.setEncoding("utf8");
  command.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
  });
  command.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
  });
  await waitUntil(
    "the command's connect string",
    () => {
      if (command.exitCode !== null) throw new Error(`ensemble exited with ${command.exitCode}\n${output()}`);
      return stdout.includes("connect string: ");
    },
    DEADLINE_MS,
  );
  for (const match of stdout.matchAll(/^member (\d+) \((?:voter|observer)\): \S+, pid (\d+),/gm)) {
    pids.set(Number(match[1]), Number(match[2]));
  }
});

afterAll(async () => {
  for (const client of admins.values()) client.close();
  // Only after a failure is anything left: take it down so no member outlives the test run.
  if (command !== undefined && command.exitCode === null && command.signalCode === null) {
    command.kill("SIGKILL");
    await exited(command);
  }
  for (const pid of pids.values()) if (alive(pid)) process.kill(pid, "SIGKILL");
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("paddock ensemble", () => {
  it("starts three members that elect one leader and serve writes through the connect string", async () => {
    const connectString = ids.map((id) => `127.0.0.1:${clientPort(id)}`).join(",");
    expect(stdout).toContain(`connect string: ${connectString}\n`);
    expect([...pids.keys()].sort(), output()).toEqual(ids);
    for (const pid of pids.values()) expect(alive(pid)).toBe(true);

    let seen: (string | undefined)[] = [];
    await waitUntil(
      "one leader and two followers",
      async () => {
        seen = await modes(ids.map(clientPort));
        return (
          seen.filter((m) => m === "leader").length === 1 && seen.filter((m) => m === "follower").length === 2
        );
      },
      DEADLINE_MS,
    ).catch((error: Error) => {
      throw new Error(`${error.message} (modes ${seen.join(",")})\n${output()}`);
    });
    await writeAndReadBack(connectString, "/ensemble-command", "up");
  });

  it("lays out D/member-<id> with myid and a zoo.cfg for each member", () => {
    expect(readdirSync(dir).sort()).toEqual(ids.map((id) => `member-${id}`));
    const servers = ids.map(
      (id) => `server.${id}=127.0.0.1:${ports.quorum + id}:${ports.quorum + 1000 + id}`,
    );
    for (const id of ids) {
      const memberDir = join(dir, `member-${id}`);
      expect(readFileSync(join(memberDir, "myid"), "utf8")).toBe(`${id}\n`);
      const cfg = readFileSync(join(memberDir, "zoo.cfg"), "utf8").split("\n");
      expect(cfg).toContain(`dataDir=${memberDir}`);
      expect(cfg).toContain(`clientPort=${clientPort(id)}`);
      expect(cfg.filter((line) => line.startsWith("server."))).toEqual(servers);
      expect(stdout).toContain(
        `member ${id} (voter): 127.0.0.1:${clientPort(id)}, pid ${pids.get(id)}, data in ${memberDir}\n`,
      );
    }
  });

  it("reports a member killed with -9 and the other two keep serving writes", async () => {
    const current = await modes(ids.map(clientPort));
    const victim = ids.find((_, i) => current[i] === "follower");
    expect(victim, `modes ${current.join(",")}`).toBeDefined();
    const victimId = victim!;
    process.kill(pids.get(victimId)!, "SIGKILL");
    await waitUntil(
      "the command's report of the killed member",
      () => stderr.includes(`[member ${victimId}] exited (SIGKILL); the others keep running`),
      DEADLINE_MS,
    );
    await waitUntil("the killed member's pid to be gone", () => !alive(pids.get(victimId)!), DEADLINE_MS);
    expect(command.exitCode, "the command keeps running").toBeNull();
    const others = ids.filter((id) => id !== victimId);
    for (const id of others) {
      await writeAndReadBack(`127.0.0.1:${clientPort(id)}`, `/after-kill-via-${id}`, `m${id}`);
    }
  });

  it("stops every member and exits on SIGINT", async () => {
    const exit = new Promise<number | null>((done) => {
      if (command.exitCode !== null) done(command.exitCode);
      else command.once("exit", (code) => done(code));
    });
    command.kill("SIGINT");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exit,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no exit within ${DEADLINE_MS} ms\n${output()}`)),
          DEADLINE_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    expect(code, output()).toBe(0);
    expect(stderr).toContain("stopping every member");
    // The command waits for its members' exits, so they are gone (reaped) by the time it exits.
    for (const id of ids) expect(alive(pids.get(id)!), `member ${id}'s pid ${pids.get(id)}`).toBe(false);
    await waitUntil(
      "every client port to refuse connections",
      async () => (await Promise.all(ids.map((id) => refused(clientPort(id))))).every(Boolean),
      DEADLINE_MS,
    );
    expect(existsSync(join(dir, "member-1", "myid"))).toBe(true);
  });
});
