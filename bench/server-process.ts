/**
 * What starting a server under test takes, for one server or an ensemble: free ports, spawning
 * and stopping processes, readiness probes (ready file, srvr, etcd health), each target's command.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, connect as tcpConnect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TargetName } from "./args.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const readyDeadlineMs = 60_000;
export const zookeeperClasspath = [
  "zookeeper",
  "zookeeper-jute",
  "slf4j-api",
  "slf4j-nop",
  "metrics-core",
  "snappy-java",
]
  .map((j) => `/usr/share/java/${j}.jar`)
  .join(":");
/** zkServer.sh's default heap; every ZooKeeper process, standalone or member, gets the same flags. */
export const zookeeperJvmFlags = ["-Xmx1000m", "-cp", zookeeperClasspath];
/**
 * Timing keys of every Paddock and ZooKeeper ensemble the tool starts: ZooKeeper's defaults, as
 * `paddock ensemble` (server/main/ensemble-command.ts) writes them. etcd keeps its own defaults
 * (heartbeat 100 ms, election timeout 1 s).
 */
export const quorumTiming = ["tickTime=2000", "initLimit=10", "syncLimit=5"];

/** What a workload needs of the servers under test: one process, or every member of an ensemble. */
export interface Deployment {
  readonly target: TargetName;
  /** host:port for the client; for an ensemble, the connect string of every member. */
  readonly address: string;
  /** The live server processes, for CPU and RSS summed over them. */
  readonly pids: readonly number[];
  /** Members started (1: standalone). */
  readonly members: number;
  /** Stops every process and removes the data dirs. */
  dispose(): Promise<void>;
}

export interface ServerHandle extends Deployment {
  readonly pid: number;
  readonly dataDir: string;
  /** SIGTERM, wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  /** Starts the same server again on the same port and data dir; resolves once it serves. */
  restart(): Promise<ServerHandle>;
}

export interface EnsembleMember {
  /** server.N / myid / etcd member name m<N>. */
  readonly id: number;
  /** 127.0.0.1:clientPort. */
  readonly address: string;
  readonly pid: number;
  /** False once the member was killed or exited. */
  readonly alive: boolean;
}

export interface EnsembleHandle extends Deployment {
  readonly nodes: readonly EnsembleMember[];
  /** The member's role as srvr says it (leader, follower, looking, ...); undefined if it does not answer. */
  mode(id: number): Promise<string | undefined>;
  /** The one leader, once every other live member follows it. */
  waitForLeader(timeoutMs: number): Promise<number>;
  /** SIGKILLs one member (kill -9) and waits for it to exit. */
  killMember(id: number): Promise<void>;
}

export function isEnsemble(d: Deployment): d is EnsembleHandle {
  return "nodes" in d;
}

export function tsxLoader(): string {
  return import.meta.resolve("tsx");
}

/**
 * `count` distinct free ports on 127.0.0.1, all held until every one is known (one at a time, the
 * kernel may hand the same port out twice). Free when returned, so another process could still take
 * one before the server binds it: the small race the standalone launch has always had.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = createServer();
      servers.push(s);
      ports.push(
        await new Promise<number>((resolvePort, reject) => {
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => {
            const address = s.address();
            resolvePort(typeof address === "object" && address !== null ? address.port : 0);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

export const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, SIGKILL after 10 s, wait for exit. */
export async function terminate(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited(child);
  clearTimeout(timer);
}

/** Polls `probe` until it returns true, failing early if the child exits. */
export async function waitReady(
  child: ChildProcess,
  what: string,
  stderr: () => string,
  probe: () => Promise<boolean>,
) {
  const deadline = Date.now() + readyDeadlineMs;
  while (Date.now() < deadline) {
    if (hasExited(child))
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before serving:\n${stderr()}`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`${what} not serving after ${readyDeadlineMs} ms:\n${stderr()}`);
}

/**
 * Sends `send` (if any) to 127.0.0.1:port and collects the answer until the server closes the
 * connection (ZooKeeper's four-letter words) or one second passes; undefined if it cannot connect.
 */
export function tcpExchange(
  port: number,
  send: string | undefined,
  expect?: string,
): Promise<string | undefined> {
  return new Promise((r) => {
    const socket = tcpConnect(port, "127.0.0.1");
    let got = "";
    let connected = false;
    const done = (answer: string | undefined) => {
      socket.destroy();
      r(answer);
    };
    socket.setTimeout(1000, () => done(connected ? got : undefined));
    socket.on("error", () => done(connected && got !== "" ? got : undefined));
    socket.on("connect", () => {
      connected = true;
      if (send === undefined) done("");
      else socket.write(send);
    });
    socket.on("data", (d) => {
      got += d.toString();
      if (expect !== undefined && got.includes(expect)) done(got);
    });
    socket.on("end", () => done(got));
  });
}

export async function tcpProbe(port: number, send: string | undefined, expect: string | undefined) {
  const answer = await tcpExchange(port, send, expect);
  return answer !== undefined && (expect === undefined || answer.includes(expect));
}

/** Mode line of a `srvr` answer (ZooKeeper's and Paddock's words), lower-cased. */
export function modeOf(srvr: string | undefined): string | undefined {
  return /^Mode: (\S+)/m.exec(srvr ?? "")?.[1]?.toLowerCase();
}

export async function etcdHealthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as { health?: string }).health === "true";
  } catch {
    return false;
  }
}

/** etcd's role through its JSON gateway: the member whose own id is the leader's leads. */
export async function etcdMode(clientUrl: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${clientUrl}/v3/maintenance/status`, {
      method: "POST",
      body: "{}",
      signal: AbortSignal.timeout(1000),
    });
    if (!res.ok) return undefined;
    const status = (await res.json()) as { header?: { member_id?: string }; leader?: string };
    if (status.leader === undefined || status.leader === "0") return "looking";
    return status.leader === status.header?.member_id ? "leader" : "follower";
  } catch {
    return undefined;
  }
}

/** Paddock's srvr through its gRPC AdminService, one channel per member, closed by `close`. */
export function paddockAdmin() {
  const clients = new Map<
    string,
    { command: (name: string) => Promise<string | undefined>; close(): void }
  >();
  const open = async (address: string) => {
    const [{ AdminServiceClient }, { grpc }] = await Promise.all([
      import("../clients/ts/gen/paddock/v1/admin.js"),
      import("./targets/root-grpc.js"),
    ]);
    const client = new AdminServiceClient(address, grpc.credentials.createInsecure());
    return {
      command: (name: string) =>
        new Promise<string | undefined>((done) =>
          client.command({ command: name }, new grpc.Metadata(), { deadline: Date.now() + 1000 }, (e, res) =>
            done(e || res === undefined ? undefined : res.output),
          ),
        ),
      close: () => client.close(),
    };
  };
  return {
    async srvr(address: string): Promise<string | undefined> {
      let client = clients.get(address);
      if (client === undefined) {
        client = await open(address);
        clients.set(address, client);
      }
      return client.command("srvr");
    },
    close(): void {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}

export interface Launch {
  command: string;
  args: string[];
  /** Resolves to the port once serving. */
  ready: (child: ChildProcess, stderr: () => string) => Promise<number>;
}

/** Waits for the {"port"} a Paddock (or no-op) process writes once serving. */
export function readyFromFile(what: string, readyFile: string) {
  return async (child: ChildProcess, stderr: () => string): Promise<number> => {
    let port = 0;
    await waitReady(child, what, stderr, async () => {
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
}

/**
 * The server as users start it: bin/paddock.js runs the compiled dist/ when it was built from the
 * sources as they are (`npm run build`), else the sources through tsx, in this process either way
 * (so the pid's CPU is the server's). A restart's time includes loading the code: dist/ loads in a
 * fraction of tsx's compile time.
 */
export function paddockServerArgs(extra: string[], port: number, readyFile: string): string[] {
  return [
    join(repoRoot, "bin/paddock.js"),
    "server",
    ...extra,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--ready-file",
    readyFile,
    // As for ZooKeeper: the storm opens hundreds of sessions from 127.0.0.1 (default 60).
    "--set",
    "maxClientCnxns=0",
    // The AdminServer and /metrics stay on (their cost is part of the figures) on free ports.
    "--set",
    "admin.serverPort=0",
    "--set",
    "metricsProvider.httpPort=0",
  ];
}

/** zoo.cfg keys every ZooKeeper process gets, standalone or member. */
export function zookeeperSettings(dataDir: string, clientPort: number): string[] {
  return [
    `dataDir=${dataDir}`,
    `clientPort=${clientPort}`,
    "clientPortAddress=127.0.0.1",
    "maxClientCnxns=0",
    // The JVM's default accept backlog (50) drops SYNs in the session storm: 1 s retries.
    "clientPortListenBacklog=1024",
    "forceSync=yes",
    "admin.enableServer=false",
  ];
}

export function etcdArgs(name: string, dataDir: string, clientUrl: string, peerUrl: string, cluster: string) {
  return [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${cluster}`,
    "--logger=zap",
    "--log-level=error",
  ];
}

export function launchFor(
  target: TargetName,
  dataDir: string,
  port: number | undefined,
  peerPort: number,
): Launch {
  const readyFile = join(dataDir, "ready.json");
  switch (target) {
    case "paddock":
      rmSync(readyFile, { force: true });
      return {
        command: process.execPath,
        args: paddockServerArgs(
          // mntr: the load rows read the server's connection count (zk_num_alive_connections).
          ["--data-dir", join(dataDir, "data"), "--set", "4lw.commands.whitelist=srvr,mntr"],
          port ?? 0,
          readyFile,
        ),
        ready: readyFromFile(target, readyFile),
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
        ready: readyFromFile(target, readyFile),
      };
    case "zookeeper": {
      const p = port!;
      const cfg = join(dataDir, "zoo.cfg");
      mkdirSync(join(dataDir, "data"), { recursive: true });
      writeFileSync(
        cfg,
        [
          "tickTime=2000",
          ...zookeeperSettings(join(dataDir, "data"), p),
          // mntr: the load rows read the server's connection count (zk_num_alive_connections).
          "4lw.commands.whitelist=ruok,srvr,mntr",
          "",
        ].join("\n"),
      );
      return {
        command: "java",
        args: [...zookeeperJvmFlags, "org.apache.zookeeper.server.ZooKeeperServerMain", cfg],
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
        args: etcdArgs("bench", join(dataDir, "data"), client, peer, `bench=${peer}`),
        ready: async (child, stderr) => {
          await waitReady(child, target, stderr, () => etcdHealthy(client));
          return p;
        },
      };
    }
  }
}

export interface Spawned {
  child: ChildProcess;
  /** The last 4000 characters it wrote to stderr. */
  stderr: () => string;
}

export async function spawnServer(command: string, args: string[]): Promise<Spawned> {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  await new Promise<void>((r, reject) => {
    child.once("spawn", () => r());
    child.once("error", reject);
  });
  return { child, stderr: () => stderr };
}
