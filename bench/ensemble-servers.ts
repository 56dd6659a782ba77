/**
 * Ensembles of the servers under test (--members N): N member processes of one target on
 * 127.0.0.1, each with its own data dir and ports, started and stopped together.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TargetName } from "./args.js";
import {
  type EnsembleHandle,
  etcdArgs,
  etcdHealthy,
  etcdMode,
  exited,
  freePorts,
  hasExited,
  modeOf,
  paddockAdmin,
  paddockServerArgs,
  quorumTiming,
  readyDeadlineMs,
  readyFromFile,
  type Spawned,
  spawnServer,
  tcpExchange,
  terminate,
  waitReady,
  zookeeperJvmFlags,
  zookeeperSettings,
} from "./server-process.js";

/** One member of an ensemble before it starts: its directory and ports. */
interface MemberPlan {
  readonly id: number;
  readonly dir: string;
  readonly clientPort: number;
  /** Paddock and ZooKeeper: quorum port; etcd: peer port. */
  readonly quorumPort: number;
  /** Paddock and ZooKeeper: leader election port (Paddock parses it, everything rides the quorum port). */
  readonly electionPort: number;
}

interface MemberLaunch {
  command: string;
  args: string[];
  /** Resolves once the member serves (it may still be looking for a leader). */
  ready: (child: ChildProcess, stderr: () => string) => Promise<void>;
}

/**
 * A member's data dir with its myid, and its zoo.cfg (the quorum timing, then `lines`, then the
 * BENCH_ZOO_CFG lines, `;`-separated, e.g. "localSessionsEnabled=true"); returns the cfg path.
 */
function writeMemberConfig(m: MemberPlan, lines: (dataDir: string) => string[]): string {
  const dataDir = join(m.dir, "data");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, "myid"), `${m.id}\n`);
  const cfg = join(m.dir, "zoo.cfg");
  const extra = (process.env.BENCH_ZOO_CFG ?? "").split(";").filter((l) => l.trim() !== "");
  writeFileSync(cfg, [...quorumTiming, ...lines(dataDir), ...extra, ""].join("\n"));
  return cfg;
}

/**
 * The zoo.cfg (and myid) of a Paddock member, in the keys server/main/server-spec.ts reads:
 * server.N=host:quorumPort:electionPort;clientPort. Written here rather than with
 * ensemble-command.ts's planEnsemble, whose ports are fixed ranges (2888+N, 3888+N by default):
 * the bench takes free ports, so it never collides with a `paddock ensemble` or another bench.
 */
function paddockMember(m: MemberPlan, all: readonly MemberPlan[]): MemberLaunch {
  const cfg = writeMemberConfig(m, (dataDir) => [
    `dataDir=${dataDir}`,
    `clientPort=${m.clientPort}`,
    // mntr: the load rows read each member's connection count (zk_num_alive_connections).
    "4lw.commands.whitelist=srvr,mntr",
    ...all.map((o) => `server.${o.id}=127.0.0.1:${o.quorumPort}:${o.electionPort};${o.clientPort}`),
  ]);
  const readyFile = join(m.dir, "ready.json");
  rmSync(readyFile, { force: true });
  const ready = readyFromFile(`paddock member ${m.id}`, readyFile);
  return {
    command: process.execPath,
    args: paddockServerArgs(["--config", cfg], m.clientPort, readyFile),
    ready: async (child, stderr) => {
      await ready(child, stderr);
    },
  };
}

/** A QuorumPeerMain member: zkServer.sh's flags, the standalone launch's keys, server.1..N. */
function zookeeperMember(m: MemberPlan, all: readonly MemberPlan[]): MemberLaunch {
  const cfg = writeMemberConfig(m, (dir) => [
    ...zookeeperSettings(dir, m.clientPort),
    "4lw.commands.whitelist=*",
    ...all.map((o) => `server.${o.id}=127.0.0.1:${o.quorumPort}:${o.electionPort}`),
  ]);
  return {
    command: "java",
    args: [...zookeeperJvmFlags, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg],
    ready: (child, stderr) =>
      // A member answers srvr with its Mode once it has joined a quorum (before: "not currently serving").
      waitReady(child, `zookeeper member ${m.id}`, stderr, async () => {
        const mode = modeOf(await tcpExchange(m.clientPort, "srvr"));
        return mode === "leader" || mode === "follower";
      }),
  };
}

/** An etcd member of a fresh cluster listing every member (its /health is true once there is a leader). */
function etcdMember(m: MemberPlan, all: readonly MemberPlan[], token: string): MemberLaunch {
  const client = `http://127.0.0.1:${m.clientPort}`;
  const cluster = all.map((o) => `m${o.id}=http://127.0.0.1:${o.quorumPort}`).join(",");
  return {
    command: "etcd",
    args: [
      ...etcdArgs(`m${m.id}`, join(m.dir, "data"), client, `http://127.0.0.1:${m.quorumPort}`, cluster),
      "--initial-cluster-state=new",
      `--initial-cluster-token=${token}`,
    ],
    ready: (child, stderr) => waitReady(child, `etcd member ${m.id}`, stderr, () => etcdHealthy(client)),
  };
}

/**
 * Starts `size` members of `target` on 127.0.0.1, each with its own data dir under one temp dir and
 * its own free ports, and resolves once every member serves and exactly one leads (the others
 * following). The address is the connect string of every member, in id order (the clients shuffle).
 */
export async function startEnsemble(target: TargetName, size: number): Promise<EnsembleHandle> {
  if (target === "noop") throw new Error("the no-op target has no ensemble");
  const base = mkdtempSync(join(tmpdir(), `paddock-bench-${target}-x${size}-`));
  const ports = await freePorts(3 * size);
  const plans: MemberPlan[] = Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    dir: join(base, `member-${i + 1}`),
    clientPort: ports[3 * i]!,
    quorumPort: ports[3 * i + 1]!,
    electionPort: ports[3 * i + 2]!,
  }));
  const token = `paddock-bench-${randomBytes(4).toString("hex")}`;
  const running: { plan: MemberPlan; spawned: Spawned }[] = [];
  const admin = target === "paddock" ? paddockAdmin() : undefined;
  const stopAll = async () => {
    admin?.close();
    await Promise.all(running.map((r) => terminate(r.spawned.child)));
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const launches = plans.map((m) => {
      mkdirSync(m.dir, { recursive: true });
      return target === "paddock"
        ? paddockMember(m, plans)
        : target === "zookeeper"
          ? zookeeperMember(m, plans)
          : etcdMember(m, plans, token);
    });
    for (const [i, l] of launches.entries())
      running.push({ plan: plans[i]!, spawned: await spawnServer(l.command, l.args) });
    await Promise.all(launches.map((l, i) => l.ready(running[i]!.spawned.child, running[i]!.spawned.stderr)));
  } catch (e) {
    await stopAll();
    throw e;
  }

  const addressOf = (m: MemberPlan) => `127.0.0.1:${m.clientPort}`;
  const memberById = (id: number) => {
    const r = running.find((x) => x.plan.id === id);
    if (r === undefined) throw new Error(`no member ${id}`);
    return r;
  };
  const mode = async (id: number): Promise<string | undefined> => {
    const r = memberById(id);
    if (hasExited(r.spawned.child)) return undefined;
    if (target === "etcd") return etcdMode(`http://${addressOf(r.plan)}`);
    const srvr =
      admin !== undefined
        ? await admin.srvr(addressOf(r.plan))
        : await tcpExchange(r.plan.clientPort, "srvr");
    return modeOf(srvr);
  };
  const handle: EnsembleHandle = {
    target,
    address: plans.map(addressOf).join(","),
    members: size,
    get pids() {
      return running.filter((r) => !hasExited(r.spawned.child)).map((r) => r.spawned.child.pid!);
    },
    nodes: running.map((r) => ({
      id: r.plan.id,
      address: addressOf(r.plan),
      pid: r.spawned.child.pid!,
      get alive() {
        return !hasExited(r.spawned.child);
      },
    })),
    mode,
    async waitForLeader(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let seen = "";
      for (;;) {
        const live = running.filter((r) => !hasExited(r.spawned.child)).map((r) => r.plan.id);
        const modes = await Promise.all(live.map(mode));
        seen = live.map((id, i) => `${id}:${modes[i] ?? "no answer"}`).join(" ");
        const leaders = live.filter((_, i) => modes[i] === "leader");
        if (leaders.length === 1 && modes.every((m) => m === "leader" || m === "follower"))
          return leaders[0]!;
        if (Date.now() > deadline)
          throw new Error(
            `${target}: no single leader among ${size} members within ${timeoutMs} ms (${seen})`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async killMember(id) {
      const { child } = memberById(id).spawned;
      child.kill("SIGKILL");
      await exited(child);
    },
    dispose: stopAll,
  };
  try {
    await handle.waitForLeader(readyDeadlineMs);
  } catch (e) {
    const logs = running.map((r) => `member ${r.plan.id}: ${r.spawned.stderr().slice(-1000)}`).join("\n");
    await stopAll();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
  return handle;
}
