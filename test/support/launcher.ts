import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export interface ServerHandle {
  readonly address: string;
  /** Where ZooKeeper clients connect: the same port as gRPC (the server tells them apart). */
  readonly juteAddress: string;
  readonly port: number;
  /** The secureClientPort (TLS), when the settings ask for one. */
  readonly securePort: number | undefined;
  /** The AdminServer's and /metrics' ports (any free ones, as the client port), when on. */
  readonly adminPort: number | undefined;
  readonly metricsPort: number | undefined;
  readonly dataDir: string;
  readonly pid: number;
  /** Everything the process wrote to stderr so far (its log). */
  log(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same port and data directory. */
  restart(): Promise<ServerHandle>;
}

export interface StartOptions {
  /** zoo.cfg keys applied with --set. */
  readonly settings?: Record<string, string | number | boolean>;
  readonly dataDir?: string;
  readonly port?: number;
  readonly readyTimeoutMs?: number;
  /** Runs the server under this command (e.g. unshare and a mount), node and its arguments last. */
  readonly wrapper?: readonly string[];
  /** Added to the server's environment (PADDOCK_TEST_DISK for a slow disk). */
  readonly env?: Readonly<Record<string, string>>;
}

export function waitForFile(
  file: string,
  child: ChildProcess,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const dir = resolve(file, "..");
    const done = (error?: Error): void => {
      watcher.close();
      clearTimeout(timer);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolvePromise();
    };
    const check = (): void => {
      if (existsSync(file) && readFileSync(file, "utf8").endsWith("}")) done();
    };
    const onExit = (code: number | null): void =>
      done(new Error(`server exited with ${code} before ready:\n${log()}`));
    const watcher = watch(dir, check);
    const timer = setTimeout(
      () => done(new Error(`server not ready after ${timeoutMs} ms:\n${log()}`)),
      timeoutMs,
    );
    child.on("exit", onExit);
    check();
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

/** Starts a real server process (`node --import tsx`, one PID) on a free port; ready file, no sleeps. */
export async function startServer(options: StartOptions = {}): Promise<ServerHandle> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "paddock-data-"));
  const readyFile = join(mkdtempSync(join(tmpdir(), "paddock-ready-")), "ready.json");
  const args = [
    "--import",
    "tsx",
    join(root, "server/main/cli.ts"),
    "server",
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port ?? 0),
    "--data-dir",
    dataDir,
    "--ready-file",
    readyFile,
  ];
  // Any free AdminServer and /metrics ports, restarts included (which reuse the client port).
  args.push("--set", "admin.serverPort=0", "--set", "metricsProvider.httpPort=0");
  for (const [k, v] of Object.entries(options.settings ?? {})) args.push("--set", `${k}=${v}`);
  const [command, ...wrapped] = [...(options.wrapper ?? []), process.execPath, ...args];
  const env = { ...process.env, ...options.env };
  const child = spawn(command!, wrapped, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const log = (): string => stderr;
  await waitForFile(readyFile, child, options.readyTimeoutMs ?? 30_000, log);
  const { port, securePort, adminPort, metricsPort } = JSON.parse(readFileSync(readyFile, "utf8")) as {
    port: number;
    securePort?: number;
    adminPort?: number;
    metricsPort?: number;
  };
  const handle: ServerHandle = {
    address: `127.0.0.1:${port}`,
    juteAddress: `127.0.0.1:${port}`,
    port,
    securePort,
    adminPort,
    metricsPort,
    dataDir,
    pid: child.pid ?? -1,
    log,
    async stop() {
      child.kill("SIGTERM");
      await exited(child);
    },
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    restart: () => startServer({ ...options, dataDir, port }),
  };
  return handle;
}
