import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireZooKeeper, zooKeeper38Classpath, zooKeeper39Classpath } from "./zookeeper.js";

/** A real Apache ZooKeeper ensemble (QuorumPeerMain per member) on loopback. */
export interface ZooKeeperEnsemble {
  /** Client addresses, member 1 first. */
  readonly addresses: readonly string[];
  /** The leader's and the followers' client addresses, by `srvr`. */
  readonly leader: string;
  readonly followers: readonly string[];
  /** What every member wrote to stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/** A four-letter word over a raw TCP connection; "" when the member does not answer. */
export function fourLetterWord(address: string, word: string, timeoutMs = 2000): Promise<string> {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    let out = "";
    const socket = connect({ host, port: Number(port) });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(word));
    socket.on("data", (c: string) => {
      out += c;
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/**
 * `size` members of ZooKeeper ("3.9": 3.9.5 from .cache/curator/lib; "3.8": Debian's) with these
 * zoo.cfg lines besides the ensemble's own; every four-letter word is allowed. Resolves once one
 * member leads and the others follow.
 */
export async function startZooKeeperEnsemble(options: {
  size: number;
  version: "3.8" | "3.9";
  extraConfig?: readonly string[];
  readyTimeoutMs?: number;
}): Promise<ZooKeeperEnsemble> {
  requireZooKeeper();
  const base = mkdtempSync(join(tmpdir(), "paddock-zk-ensemble-"));
  const ids = Array.from({ length: options.size }, (_, i) => i + 1);
  const ports: { client: number; quorum: number; election: number }[] = [];
  for (const _ of ids)
    ports.push({ client: await freePort(), quorum: await freePort(), election: await freePort() });
  const servers = ids.map((id, i) => `server.${id}=127.0.0.1:${ports[i]!.quorum}:${ports[i]!.election}`);
  const cp = options.version === "3.9" ? zooKeeper39Classpath() : zooKeeper38Classpath;
  let logs = "";
  const children: ChildProcess[] = ids.map((id, i) => {
    const dir = join(base, `member-${id}`);
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(join(dir, "data", "myid"), `${id}\n`);
    const cfg = [
      "tickTime=500",
      "initLimit=20",
      "syncLimit=10",
      `dataDir=${join(dir, "data")}`,
      `clientPort=${ports[i]!.client}`,
      "clientPortAddress=127.0.0.1",
      "admin.enableServer=false",
      "4lw.commands.whitelist=*",
      ...servers,
      ...(options.extraConfig ?? []),
      "",
    ];
    writeFileSync(join(dir, "zoo.cfg"), cfg.join("\n"));
    const child = spawn(
      "java",
      ["-Xmx256m", "-cp", cp, "org.apache.zookeeper.server.quorum.QuorumPeerMain", join(dir, "zoo.cfg")],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr?.setEncoding("utf8").on("data", (c: string) => {
      logs += `[${id}] ${c}`;
    });
    return child;
  });
  const addresses = ports.map((p) => `127.0.0.1:${p.client}`);
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? undefined
          : new Promise<void>((r) => {
              c.once("exit", () => r());
              c.kill("SIGKILL");
            }),
      ),
    );
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const modes = await Promise.all(
      addresses.map(async (a) => /^Mode: (\S+)/m.exec(await fourLetterWord(a, "srvr"))?.[1]),
    );
    const leaders = addresses.filter((_, i) => modes[i] === "leader");
    if (leaders.length === 1 && modes.every((m) => m === "leader" || m === "follower")) {
      return {
        addresses,
        leader: leaders[0]!,
        followers: addresses.filter((a) => a !== leaders[0]),
        log: () => logs,
        stop,
      };
    }
    if (Date.now() > deadline || children.some((c) => c.exitCode !== null)) {
      await stop();
      throw new Error(`ZooKeeper ensemble not ready (modes ${modes.join(",")}):\n${logs.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200)); // poll interval under a deadline
  }
}
