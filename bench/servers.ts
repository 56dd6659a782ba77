/**
 * Starts and stops the servers under test as child processes on 127.0.0.1, each with its own temp
 * data dir: Paddock (its launch contract: --port 0 and a ready file), the no-op echo, ZooKeeper 3.8
 * (ZooKeeperServerMain with a generated zoo.cfg, forceSync on) and etcd 3.4.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TargetName } from "./args.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const readyDeadlineMs = 60_000;
const zookeeperClasspath = [
  "zookeeper",
  "zookeeper-jute",
  "slf4j-api",
  "slf4j-nop",
  "metrics-core",
  "snappy-java",
]
  .map((j) => `/usr/share/java/${j}.jar`)
  .join(":");

export interface ServerHandle {
  readonly target: TargetName;
  /** host:port for the client. */
  readonly address: string;
  readonly pid: number;
  readonly dataDir: string;
  /** SIGTERM, wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  /** Starts the same server again on the same port and data dir; resolves once it serves. */
  restart(): Promise<ServerHandle>;
  /** Stops it and removes its data dir. */
  dispose(): Promise<void>;
}

export function tsxLoader(): string {
  return import.meta.resolve("tsx");
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

/** Polls `probe` until it returns true, failing early if the child exits. */
async function waitReady(
  child: ChildProcess,
  what: string,
  stderr: () => string,
  probe: () => Promise<boolean>,
) {
  const deadline = Date.now() + readyDeadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before serving:\n${stderr()}`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`${what} not serving after ${readyDeadlineMs} ms:\n${stderr()}`);
}

function tcpProbe(port: number, send: string | undefined, expect: string | undefined): Promise<boolean> {
  return new Promise((r) => {
    const socket = tcpConnect(port, "127.0.0.1");
    let got = "";
    const done = (ok: boolean) => {
      socket.destroy();
      r(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => {
      if (send === undefined) done(true);
      else socket.write(send);
    });
    socket.on("data", (d) => {
      got += d.toString();
      if (expect !== undefined && got.includes(expect)) done(true);
    });
    socket.on("end", () => done(expect === undefined || got.includes(expect)));
  });
}

interface Launch {
  command: string;
  args: string[];
  /** Resolves to the port once serving. */
  ready: (child: ChildProcess, stderr: () => string) => Promise<number>;
}

function launchFor(target: TargetName, dataDir: string, port: number | undefined, peerPort: number): Launch {
  const readyFile = join(dataDir, "ready.json");
  const readyFromFile = async (child: ChildProcess, stderr: () => string): Promise<number> => {
    let port = 0;
    await waitReady(child, target, stderr, async () => {
      if (!existsSync(readyFile)) return false;
      try {
        port = (JSON.parse(readFileSync(readyFile, "utf8")) as { port: number }).port;
        return port > 0;
      } catch {
        return false; // half-written
      }
    });
    return port;
  };
  switch (target) {
    case "paddock":
      rmSync(readyFile, { force: true });
      return {
        command: process.execPath,
        args: [
          "--import",
          tsxLoader(),
          join(repoRoot, "server/main/cli.ts"),
          "server",
          "--host",
          "127.0.0.1",
          "--port",
          String(port ?? 0),
          "--data-dir",
          join(dataDir, "data"),
          "--ready-file",
          readyFile,
          // As for ZooKeeper: the storm opens hundreds of sessions from 127.0.0.1 (default 60).
          "--set",
          "maxClientCnxns=0",
        ],
        ready: readyFromFile,
      };
    case "noop":
      rmSync(readyFile, { force: true });
      return {
        command: process.execPath,
        args: [
          "--import",
          tsxLoader(),
          join(repoRoot, "bench/targets/noop-server.ts"),
          "--ready-file",
          readyFile,
        ],
        ready: readyFromFile,
      };
    case "zookeeper": {
      const p = port!;
      const cfg = join(dataDir, "zoo.cfg");
      mkdirSync(join(dataDir, "data"), { recursive: true });
      writeFileSync(
        cfg,
        [
          "tickTime=2000",
          `dataDir=${join(dataDir, "data")}`,
          `clientPort=${p}`,
          "clientPortAddress=127.0.0.1",
          "maxClientCnxns=0",
          // The JVM's default accept backlog (50) drops SYNs in the session storm: 1 s retries.
          "clientPortListenBacklog=1024",
          "forceSync=yes",
          "admin.enableServer=false",
          "4lw.commands.whitelist=ruok,srvr",
          "",
        ].join("\n"),
      );
      return {
        command: "java",
        // -Xmx1000m is zkServer.sh's default heap.
        args: [
          "-Xmx1000m",
          "-cp",
          zookeeperClasspath,
          "org.apache.zookeeper.server.ZooKeeperServerMain",
          cfg,
        ],
        ready: async (child, stderr) => {
          await waitReady(child, target, stderr, () => tcpProbe(p, "ruok", "imok"));
          return p;
        },
      };
    }
    case "etcd": {
      const p = port!;
      const client = `http://127.0.0.1:${p}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      return {
        command: "etcd",
        args: [
          "--name=bench",
          `--data-dir=${join(dataDir, "data")}`,
          `--listen-client-urls=${client}`,
          `--advertise-client-urls=${client}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=bench=${peer}`,
          "--logger=zap",
          "--log-level=error",
        ],
        ready: async (child, stderr) => {
          await waitReady(child, target, stderr, async () => {
            try {
              const res = await fetch(`${client}/health`);
              return res.ok && ((await res.json()) as { health?: string }).health === "true";
            } catch {
              return false;
            }
          });
          return p;
        },
      };
    }
  }
}

async function launch(
  target: TargetName,
  dataDir: string,
  port: number | undefined,
  peerPort: number,
): Promise<ServerHandle> {
  const l = launchFor(target, dataDir, port, peerPort);
  const child = spawn(l.command, l.args, { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const spawned = new Promise<void>((r, reject) => {
    child.once("spawn", () => r());
    child.once("error", reject);
  });
  await spawned;
  const actualPort = await l.ready(child, () => stderr);
  const handle: ServerHandle = {
    target,
    address: `127.0.0.1:${actualPort}`,
    pid: child.pid!,
    dataDir,
    stop: async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
    restart: async () => {
      await handle.stop();
      return launch(target, dataDir, actualPort, peerPort);
    },
    dispose: async () => {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export async function startServer(target: TargetName): Promise<ServerHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), `paddock-bench-${target}-`));
  const port = target === "zookeeper" || target === "etcd" ? await freePort() : undefined;
  const peerPort = target === "etcd" ? await freePort() : 0;
  return launch(target, dataDir, port, peerPort);
}
