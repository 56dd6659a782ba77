import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { credentials, Metadata } from "@grpc/grpc-js";
import { AdminServiceClient } from "../../server/gen/paddock/v1/admin.js";
import { exited, waitForFile } from "./launcher.js";
import { type ProxyFault, startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const root = resolve(import.meta.dirname, "../..");

export interface Member {
  readonly id: number;
  readonly observer: boolean;
  readonly dataDir: string;
  /** Kept across restarts, so clients' connect strings stay valid. */
  clientPort: number;
  readonly address: string;
  pid: number;
  /** The AdminServer's and /metrics' bound ports in the current run (free ports), if on. */
  adminPort: number | undefined;
  metricsPort: number | undefined;
  /** Everything the member wrote to stderr in all its runs. */
  log(): string;
}

export interface EnsembleOptions {
  readonly voters: number;
  readonly observers?: number;
  /** zoo.cfg keys for every member (defaults favour fast failure detection). */
  readonly settings?: Record<string, string | number | boolean>;
  /** More zoo.cfg keys for one member (after `settings`), e.g. its own certificate. */
  readonly memberSettings?: (id: number) => Record<string, string | number | boolean>;
  /** Extra environment for a member, asked at every (re)start (the fault tier's disk seam). */
  readonly env?: (id: number) => Record<string, string>;
  /** A command a member runs under (e.g. unshare and a mount), node and its arguments last. */
  readonly wrapper?: (id: number) => readonly string[];
  /**
   * Members after the voters and observers whose zoo.cfg lists the voters, the observers and
   * itself, while the others' list only the voters and observers: ZooKeeper's joiners, which
   * follow without a vote until a reconfig adds them.
   */
  readonly joiners?: number;
}

/** A directed link's fault: "drop" closes and refuses its connections, the rest as ProxyFault. */
export type LinkFault = "drop" | ProxyFault;

export interface Ensemble {
  readonly members: Member[];
  readonly connectString: string;
  kill(id: number): Promise<void>;
  stop(id: number): Promise<void>;
  restart(id: number): Promise<void>;
  /** Partitions a member: every connection to and from it is closed and refused. */
  cut(id: number): Promise<void>;
  heal(id: number): Promise<void>;
  /** Faults the directed peer link from → to ("none" heals it); `cut` and `heal` are separate. */
  link(from: number, to: number, fault: LinkFault): void;
  /** SIGSTOP (a frozen process: its sockets stay open) and SIGCONT. */
  pause(id: number): void;
  resume(id: number): void;
  /** A four-letter-word command's output, undefined if the member does not answer. */
  admin(id: number, command: string): Promise<string | undefined>;
  /** srvr's Mode line (leader, follower, observer, looking, standalone), undefined if unreachable. */
  mode(id: number): Promise<string | undefined>;
  /** `server.N=` value under which member `from` reaches member `to` (its proxy), with to's client port. */
  serverLine(from: number, to: number): string;
  /** The one leader once every other live, connected member follows or observes. */
  waitForLeader(options: { timeoutMs: number; exclude?: number[] }): Promise<number>;
  stopAll(): Promise<void>;
}

const defaults = {
  tickTime: 200,
  initLimit: 10,
  syncLimit: 5,
  maxSessionTimeout: 60_000,
  // Any free AdminServer and /metrics ports, restarts included (which reuse the client port).
  "admin.serverPort": 0,
  "metricsProvider.httpPort": 0,
};

interface Running {
  child: ChildProcess;
  peerPort: number;
}

/**
 * Real member processes on loopback (the model is nats.js's test launcher). No port is grabbed in
 * advance: each member binds its client and quorum ports as 0 and reports them in its ready file;
 * every other member reaches it through a proxy owned by the test for that directed pair, which
 * forwards to the reported quorum port, and which `cut` closes to partition a member.
 */
export async function startEnsemble(options: EnsembleOptions): Promise<Ensemble> {
  const base = mkdtempSync(join(tmpdir(), "paddock-ensemble-"));
  const initial = options.voters + (options.observers ?? 0);
  const count = initial + (options.joiners ?? 0);
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  const isObserver = (id: number): boolean => id > options.voters && id <= initial;
  const running = new Map<number, Running>();
  const isolated = new Set<number>();
  const dropped = new Set<string>();
  const proxies = new Map<string, TcpProxy>();
  const logs = new Map<number, string>();
  for (const from of ids) {
    for (const to of ids) {
      if (from === to) continue;
      const proxy = await startTcpProxy(() => {
        const target = running.get(to);
        if (target === undefined || isolated.has(from) || isolated.has(to)) return undefined;
        if (dropped.has(`${from}>${to}`)) return undefined;
        return `127.0.0.1:${target.peerPort}`;
      });
      proxies.set(`${from}>${to}`, proxy);
    }
  }
  const settings = { ...defaults, ...options.settings };
  const members: Member[] = ids.map((id) => {
    const dataDir = join(base, `member-${id}`);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "myid"), `${id}\n`);
    const own = { ...settings, ...options.memberSettings?.(id) };
    const lines = [`dataDir=${dataDir}`, ...Object.entries(own).map(([k, v]) => `${k}=${v}`)];
    for (const other of ids) {
      // A joiner lists the initial members and itself (ZooKeeper's advice: joiners must not be
      // able to form a quorum of their own), the others only the initial members.
      if (other > initial && other !== id) continue;
      const port = other === id ? 0 : Number(proxies.get(`${id}>${other}`)!.address.split(":")[1]);
      lines.push(`server.${other}=127.0.0.1:${port}:0${isObserver(other) ? ":observer" : ""}`);
    }
    writeFileSync(join(dataDir, "zoo.cfg"), `${lines.join("\n")}\n`);
    logs.set(id, "");
    return {
      id,
      observer: isObserver(id),
      dataDir,
      clientPort: 0,
      get address() {
        return `127.0.0.1:${this.clientPort}`;
      },
      pid: -1,
      adminPort: undefined,
      metricsPort: undefined,
      log: () => logs.get(id) ?? "",
    };
  });
  const member = (id: number): Member => {
    const m = members.find((x) => x.id === id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  };

  const launch = async (m: Member): Promise<void> => {
    const readyFile = join(m.dataDir, "ready.json");
    rmSync(readyFile, { force: true });
    const args = ["--import", "tsx", join(root, "server/main/cli.ts"), "server", "--config"];
    args.push(join(m.dataDir, "zoo.cfg"), "--host", "127.0.0.1", "--port", String(m.clientPort));
    args.push("--ready-file", readyFile);
    const env = { ...process.env, ...options.env?.(m.id) };
    const [program, ...wrapped] = [...(options.wrapper?.(m.id) ?? []), process.execPath, ...args];
    const child = spawn(program!, wrapped, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => logs.set(m.id, (logs.get(m.id) ?? "") + chunk));
    await waitForFile(readyFile, child, 30_000, m.log);
    const ready = JSON.parse(readFileSync(readyFile, "utf8")) as {
      port: number;
      pid: number;
      peerPort: number;
      adminPort?: number;
      metricsPort?: number;
    };
    m.clientPort = ready.port;
    m.adminPort = ready.adminPort;
    m.metricsPort = ready.metricsPort;
    m.pid = child.pid ?? -1;
    running.set(m.id, { child, peerPort: ready.peerPort });
  };

  const end = async (id: number, signal: NodeJS.Signals): Promise<void> => {
    const r = running.get(id);
    if (r === undefined) return;
    running.delete(id);
    r.child.kill(signal);
    r.child.kill("SIGCONT"); // a paused member takes the signal now
    await exited(r.child);
  };

  const admin = new Map<number, AdminServiceClient>();
  const command = (id: number, name: string): Promise<string | undefined> => {
    if (!running.has(id)) return Promise.resolve(undefined);
    const m = member(id);
    let client = admin.get(id);
    if (client === undefined || client.getChannel().getTarget() !== `dns:${m.address}`) {
      client?.close();
      client = new AdminServiceClient(m.address, credentials.createInsecure());
      admin.set(id, client);
    }
    return new Promise((done) => {
      client.command(
        { command: name },
        new Metadata(),
        { deadline: Date.now() + 1000 },
        (error, response) => {
          done(error || response === undefined ? undefined : response.output);
        },
      );
    });
  };
  const mode = async (id: number): Promise<string | undefined> =>
    /^Mode: (\S+)/m.exec((await command(id, "srvr")) ?? "")?.[1];

  await Promise.all(members.map(launch));
  return {
    members,
    get connectString() {
      return members
        .filter((m) => running.has(m.id))
        .map((m) => m.address)
        .join(",");
    },
    kill: (id) => end(id, "SIGKILL"),
    stop: (id) => end(id, "SIGTERM"),
    async restart(id) {
      await end(id, "SIGTERM");
      await launch(member(id));
    },
    async cut(id) {
      isolated.add(id);
      for (const [pair, proxy] of proxies) {
        const [from, to] = pair.split(">").map(Number);
        if (from === id || to === id) {
          proxy.cut();
          proxy.restore();
        }
      }
    },
    async heal(id) {
      isolated.delete(id);
    },
    link(from, to, fault) {
      const proxy = proxies.get(`${from}>${to}`);
      if (proxy === undefined) throw new Error(`no link ${from}>${to}`);
      if (fault === "drop") {
        dropped.add(`${from}>${to}`);
        proxy.cut();
        proxy.restore();
        return;
      }
      dropped.delete(`${from}>${to}`);
      proxy.fault(fault);
    },
    pause(id) {
      running.get(id)?.child.kill("SIGSTOP");
    },
    resume(id) {
      running.get(id)?.child.kill("SIGCONT");
    },
    admin: command,
    mode,
    serverLine(from, to) {
      const port = proxies.get(`${from}>${to}`)!.address.split(":")[1];
      return `127.0.0.1:${port}:0:${isObserver(to) ? "observer" : "participant"};127.0.0.1:${member(to).clientPort}`;
    },
    async waitForLeader({ timeoutMs, exclude = [] }) {
      const deadline = Date.now() + timeoutMs;
      let seen = "";
      for (;;) {
        const live = ids.filter((id) => running.has(id) && !exclude.includes(id) && !isolated.has(id));
        const modes = await Promise.all(live.map(mode));
        seen = live.map((id, i) => `${id}:${modes[i]}`).join(" ");
        const leaders = live.filter((_, i) => modes[i] === "leader" || modes[i] === "standalone");
        const settled = modes.every(
          (m) => m === "leader" || m === "follower" || m === "observer" || m === "standalone",
        );
        if (leaders.length === 1 && settled) return leaders[0]!;
        if (Date.now() > deadline) throw new Error(`no single leader within ${timeoutMs} ms (${seen})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stopAll() {
      for (const client of admin.values()) client.close();
      await Promise.all(ids.map((id) => end(id, "SIGTERM")));
      for (const proxy of proxies.values()) await proxy.close();
    },
  };
}
