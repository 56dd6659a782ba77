import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProcessResult, repoRoot, runProcess } from "./run-process.js";

/** Apache ZooKeeper 3.8 from Debian's `zookeeper` package, the reference for differential tests. */
const zkHome = "/usr/share/zookeeper";
const zkCliPath = join(zkHome, "bin/zkCli.sh");
/** Debian's ZooKeeper 3.8 server classpath. */
export const zooKeeper38Classpath = `${zkHome}/lib/*:/usr/share/java/*`;
const classpath = zooKeeper38Classpath;

export interface ZooKeeperHandle {
  readonly address: string;
  /** Runs zkCli.sh with the script on stdin (one JVM for the whole script). */
  cli(script: string): Promise<ProcessResult>;
  /** What the server wrote to stderr so far (its log, with `serverLog`). */
  log(): string;
  stop(): Promise<void>;
}

function which(command: string): boolean {
  const dirs = (process.env.PATH ?? "").split(":");
  return dirs.some((d) => d !== "" && existsSync(join(d, command)));
}

/** Throws (never skips) when the reference is missing: CI installs it. */
export function requireZooKeeper(): void {
  const missing: string[] = [];
  if (!which("java")) missing.push("java (apt-get install default-jre-headless)");
  if (!existsSync(zkCliPath) || !existsSync("/usr/share/java/zookeeper.jar"))
    missing.push(`Apache ZooKeeper at ${zkHome} (apt-get install zookeeper)`);
  if (missing.length > 0)
    throw new Error(`differential tests need ${missing.join(" and ")}; install it and run again`);
}

/** A port free on 127.0.0.1 now (for servers that cannot bind port 0 and report it, as Kafka). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** ZooKeeper 3.8's own zkCli.sh against any server speaking ZooKeeper's protocol (one JVM per script). */
export function zkCli(address: string, script: string): Promise<ProcessResult> {
  requireZooKeeper();
  return runProcess(zkCliPath, ["-server", address], {
    input: script,
    env: { ...process.env, TZ: "UTC", JVMFLAGS: "-Xshare:auto" },
  });
}

export interface ZooKeeperOptions {
  readonly readyTimeoutMs?: number;
  /**
   * Run as a one-member quorum (QuorumPeerMain, standaloneEnabled=false) with this server.1 line,
   * given free quorum, election and client ports; the client port stays clientPort.
   */
  readonly serverLine?: (ports: { quorum: number; election: number; client: number }) => string;
  /** More zoo.cfg lines (e.g. secureClientPort and ssl.* keys). */
  readonly extraConfig?: readonly string[];
  /** More JVM flags before the main class (e.g. -Djava.security.auth.login.config=...). */
  readonly jvmFlags?: readonly string[];
  /**
   * "3.9": Apache ZooKeeper 3.9.5's server from the Maven jars scripts/install-curator.sh puts in
   * .cache/curator/lib (with Debian's metrics-core and snappy-java, which it needs and does not
   * list as runtime dependencies); default "3.8", Debian's.
   */
  readonly version?: "3.8" | "3.9";
  /** More classpath entries (e.g. the Prometheus provider: `prometheusClasspath()`). */
  readonly classpath?: readonly string[];
  /**
   * Log to stderr (read with `log()`): 3.8's classpath binds SLF4J's no-op logger, so
   * slf4j-simple goes first (SLF4J 1.7 takes the first binding it finds).
   */
  readonly serverLog?: boolean;
}

/**
 * ZooKeeper 3.8's Prometheus metrics provider (Debian does not ship it), fetched by
 * scripts/install-curator.sh; throws (never skips) when missing.
 */
export function prometheusClasspath(): string {
  const lib = join(repoRoot, ".cache/zk-prometheus/lib");
  if (!existsSync(join(lib, "zookeeper-prometheus-metrics-3.8.0.jar")))
    throw new Error(
      `ZooKeeper's Prometheus provider missing from ${lib}: run bash scripts/install-curator.sh`,
    );
  return `${lib}/*`;
}

/** The 3.9.5 server's classpath; throws (never skips) when the jars are missing. */
export function zooKeeper39Classpath(): string {
  const lib = join(repoRoot, ".cache/curator/lib");
  if (!existsSync(join(lib, "zookeeper-3.9.5.jar")))
    throw new Error(`ZooKeeper 3.9.5 jars missing from ${lib}: run bash scripts/install-curator.sh`);
  return `${lib}/*:/usr/share/java/metrics-core.jar:/usr/share/java/snappy-java.jar`;
}

export async function startZooKeeper(options: ZooKeeperOptions = {}): Promise<ZooKeeperHandle> {
  requireZooKeeper();
  const dir = mkdtempSync(join(tmpdir(), "paddock-zk-"));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const port = await freePort();
  const cfg = join(dir, "zoo.cfg");
  const quorum: string[] = [];
  let client = [`clientPort=${port}`, "clientPortAddress=127.0.0.1"];
  if (options.serverLine !== undefined) {
    writeFileSync(join(dataDir, "myid"), "1\n");
    const [q, e] = [await freePort(), await freePort()];
    const line = options.serverLine({ quorum: q, election: e, client: port });
    quorum.push("standaloneEnabled=false", "initLimit=10", "syncLimit=5", `server.1=${line}`);
    // ZooKeeper refuses a clientPort that disagrees with the line's client part: the line says it.
    if (line.includes(";")) client = [];
  }
  writeFileSync(
    cfg,
    [
      "tickTime=2000",
      `dataDir=${dataDir}`,
      ...client,
      "admin.enableServer=false",
      ...quorum,
      ...(options.extraConfig ?? []),
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(
    "java",
    [
      "-Dzookeeper.extendedTypesEnabled=true",
      ...(options.jvmFlags ?? []),
      "-cp",
      [
        ...(options.serverLog === true && options.version !== "3.9"
          ? ["/usr/share/java/slf4j-simple.jar"]
          : []),
        options.version === "3.9" ? zooKeeper39Classpath() : classpath,
        ...(options.classpath ?? []),
      ].join(":"),
      options.serverLine === undefined
        ? "org.apache.zookeeper.server.ZooKeeperServerMain"
        : "org.apache.zookeeper.server.quorum.QuorumPeerMain",
      cfg,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    log += c;
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await portOpen(port))) {
    if (child.exitCode !== null) throw new Error(`ZooKeeper exited with ${child.exitCode}:\n${log}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`ZooKeeper not listening on ${port} in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const address = `127.0.0.1:${port}`;
  return {
    address,
    cli: (script) => zkCli(address, script),
    log: () => log,
    async stop() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
