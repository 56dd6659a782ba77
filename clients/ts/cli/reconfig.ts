/**
 * zkCli's `config` and `reconfig` (ZooKeeper 3.8's GetConfigCommand and ReconfigCommand): the
 * same options, checks, wording and output.
 */
import { readFileSync } from "node:fs";
import { PaddockError } from "../src/errors.js";
import type { Command } from "./commands.js";
import { errorLine, formatStat } from "./format.js";
import type { ParsedArgs } from "./parse-line.js";

const CONFIG_PATH = "/zookeeper/config";

/** A message zkCli prints as is (run-cli prints an Error's message and exits 1). */
class ReconfigCliError extends Error {}

/** Java's String.hashCode. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The order Java's Properties (a ConcurrentHashMap since Java 9) lists keys in: by bucket of the
 * table (16 slots, doubled at three quarters full), then insertion order. `config -c` prints
 * client addresses in that order, so scripts comparing its output see ZooKeeper's.
 */
export function javaPropertiesOrder(keys: readonly string[]): string[] {
  let size = 16;
  while (keys.length >= size - (size >>> 2)) size <<= 1;
  const bucket = (k: string): number => {
    const h = javaHash(k);
    return (h ^ (h >>> 16)) & 0x7fffffff & (size - 1);
  };
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.k);
}

/** ConfigUtils.getClientConfigStr: the version, a space, the client addresses comma-separated. */
export function clientConfigString(text: string): string {
  const entries = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const eq = line.indexOf("=");
    if (line === "" || line.startsWith("#") || eq < 0) continue;
    entries.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const addresses: string[] = [];
  for (const key of javaPropertiesOrder([...entries.keys()])) {
    if (!key.startsWith("server.")) continue;
    const [peer = "", client] = (entries.get(key) ?? "").split(";");
    // ZooKeeper's QuorumServer refuses (and getClientConfigStr skips) a line it cannot read or
    // whose quorum and election ports are equal (checked against its ConfigUtils).
    const ports = peer.split(":");
    if (ports.length < 3 || ports[1] === ports[2]) continue;
    if (client === undefined || client === "") {
      addresses.push("");
      continue;
    }
    const colon = client.lastIndexOf(":");
    addresses.push(colon < 0 ? `0.0.0.0:${client}` : client);
  }
  return `${entries.get("version") ?? ""} ${addresses.join(",")}`;
}

const reconfigUsage =
  "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]";

/** ReconfigCommand.parse's checks, in its order; the request's strings (lowercased, as zkCli). */
function reconfigArgs(a: ParsedArgs): {
  joining?: string;
  leaving?: string;
  newMembers?: string;
  fromConfig: bigint;
} {
  const has = (o: string): boolean => a.values.has(o);
  if (!has("file") && !has("members") && !has("add") && !has("remove"))
    throw new ReconfigCliError(`reconfig ${reconfigUsage}`);
  let fromConfig = -1n;
  const v = a.values.get("v");
  if (v !== undefined) {
    // zkCli reads -v as hex (Long.parseLong(v, 16)), the form of /zookeeper/config's version= line.
    const n = /^[+-]?[0-9a-fA-F]+$/.test(v)
      ? BigInt(`0x${v.replace(/^[+-]/, "")}`) * (v.startsWith("-") ? -1n : 1n)
      : undefined;
    if (n === undefined || n !== BigInt.asIntN(64, n))
      throw new ReconfigCliError("-v must be followed by a long (configuration version)");
    fromConfig = n;
  }
  if ((has("file") || has("members")) && (has("add") || has("remove"))) {
    throw new ReconfigCliError(
      "Can't use -file or -members together with -add or -remove (mixing incremental and non-incremental modes is not allowed)",
    );
  }
  if (has("file") && has("members"))
    throw new ReconfigCliError("Can't use -file and -members together (conflicting non-incremental modes)");
  const lower = (o: string): string | undefined => a.values.get(o)?.toLowerCase();
  const out = { joining: lower("add"), leaving: lower("remove"), newMembers: lower("members"), fromConfig };
  const file = a.values.get("file");
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      // zkCli's wording: the path and the cause run together.
      throw new ReconfigCliError(`Error processing ${file}${error instanceof Error ? error.message : ""}`);
    }
    out.newMembers = text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("server."))
      .join("\n");
  }
  return out;
}

export const reconfigCommands: Command[] = [
  {
    name: "config",
    usage: "[-c] [-w] [-s]",
    flags: "cws",
    minArgs: 0,
    session: true,
    async run(shell, a, client) {
      const { data, stat } = await client.getData(CONFIG_PATH, { watch: a.flags.has("w") || undefined });
      const text = new TextDecoder().decode(data);
      shell.outLine(a.flags.has("c") ? clientConfigString(text) : text);
      if (a.flags.has("s")) shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
  {
    name: "reconfig",
    usage: reconfigUsage,
    flags: "s",
    values: "v",
    words: ["file", "members", "add", "remove"],
    minArgs: 0,
    session: true,
    async run(shell, a, client) {
      const args = reconfigArgs(a);
      let reply: Awaited<ReturnType<typeof client.reconfig>>;
      try {
        reply = await client.reconfig(args);
      } catch (error) {
        // ZooKeeperAdmin's exceptions carry an empty path: zkCli prints "Insufficient permission : ".
        if (!(error instanceof PaddockError) || error.path === "") throw error;
        const line = errorLine(error);
        throw new ReconfigCliError(line.endsWith(error.path) ? line.slice(0, -error.path.length) : line);
      }
      const { data, stat } = reply;
      shell.outLine(`Committed new configuration:\n${new TextDecoder().decode(data)}`);
      if (a.flags.has("s")) shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
];
