/**
 * zkCli's output formats, matched against ZooKeeper 3.8.0's zkCli (fixtures in
 * test/unit/cli/fixtures): the Stat block, Java's Date.toString, ACL listings, watch events and
 * the error lines CliWrapperException prints.
 */
import { Code, InvalidPathError, PaddockError } from "../src/errors.js";
import type { ACL, Stat } from "../src/types.js";

const hex = (v: bigint): string => BigInt.asUintN(64, v).toString(16);

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Java's Date.toString(): "Wed Nov 25 04:41:03 UTC 2026", in the given (default: local) zone. */
export function javaDate(ms: number, timeZone?: string): string {
  const key = timeZone ?? "";
  let f = dateFormats.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      month: "short",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      year: "numeric",
      timeZoneName: "short",
    });
    dateFormats.set(key, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return `${parts.weekday} ${parts.month} ${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName} ${parts.year}`;
}

export function formatStat(stat: Stat, timeZone?: string): string {
  return (
    [
      `cZxid = 0x${hex(stat.czxid)}`,
      `ctime = ${javaDate(stat.ctime, timeZone)}`,
      `mZxid = 0x${hex(stat.mzxid)}`,
      `mtime = ${javaDate(stat.mtime, timeZone)}`,
      `pZxid = 0x${hex(stat.pzxid)}`,
      `cversion = ${stat.cversion}`,
      `dataVersion = ${stat.version}`,
      `aclVersion = ${stat.aversion}`,
      `ephemeralOwner = 0x${hex(stat.ephemeralOwner)}`,
      `dataLength = ${stat.dataLength}`,
      `numChildren = ${stat.numChildren}`,
    ].join("\n") + "\n"
  );
}

/** zkCli's permission letters, in its order: c d r w a. */
export function permString(perms: number): string {
  let s = "";
  if (perms & 4) s += "c";
  if (perms & 8) s += "d";
  if (perms & 1) s += "r";
  if (perms & 2) s += "w";
  if (perms & 16) s += "a";
  return s;
}

export function formatAcl(acl: readonly ACL[]): string {
  return acl.map((a) => `'${a.id.scheme},'${a.id.id}\n: ${permString(a.perms)}\n`).join("");
}

/** Java's List.toString. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(", ")}]`;
}

/** zkCli prints a node's data with `new String(data)`; empty data reads back as null on our wire. */
export function formatData(data: Uint8Array): string {
  return data.length === 0
    ? "null"
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
}

export type KeeperStateName = "SyncConnected" | "Disconnected" | "Expired" | "Closed" | "AuthFailed";

/** What zkCli's watcher prints for one event (printMessage puts a newline before each line). */
export function formatWatchedEvent(state: KeeperStateName, type: string, path: string | null): string {
  return `\nWATCHER::\n\nWatchedEvent state:${state} type:${type} path:${path ?? "null"}\n`;
}

/** KeeperException.getCodeMessage as of 3.8. */
const codeMessages = new Map<number, string>([
  [Code.OK, "ok"],
  [Code.SystemError, "SystemError"],
  [Code.RuntimeInconsistency, "RuntimeInconsistency"],
  [Code.DataInconsistency, "DataInconsistency"],
  [Code.ConnectionLoss, "ConnectionLoss"],
  [Code.MarshallingError, "MarshallingError"],
  [Code.Unimplemented, "Unimplemented"],
  [Code.OperationTimeout, "OperationTimeout"],
  [Code.BadArguments, "BadArguments"],
  [Code.NewConfigNoQuorum, "NewConfigNoQuorum"],
  [Code.ReconfigInProgress, "ReconfigInProgress"],
  [Code.APIError, "APIError"],
  [Code.NoNode, "NoNode"],
  [Code.NoAuth, "NoAuth"],
  [Code.BadVersion, "BadVersion"],
  [Code.NoChildrenForEphemerals, "NoChildrenForEphemerals"],
  [Code.NodeExists, "NodeExists"],
  [Code.InvalidACL, "InvalidACL"],
  [Code.AuthFailed, "AuthFailed"],
  [Code.NotEmpty, "Directory not empty"],
  [Code.SessionExpired, "Session expired"],
  [Code.InvalidCallback, "Invalid callback"],
  [Code.SessionMoved, "Session moved"],
  [Code.NotReadOnly, "Not a read-only call"],
  [Code.NoWatcher, "No such watcher"],
  [Code.QuotaExceeded, "Quota has exceeded"],
  [Code.Throttled, "Op throttled due to high load"],
  [Code.ReconfigDisabled, "Reconfig is disabled"],
]);

/** KeeperException.getMessage(): "KeeperErrorCode = NoNode for /a". */
export function keeperMessage(code: number, path: string): string {
  const text = codeMessages.get(code) ?? `Unknown error ${code}`;
  return `KeeperErrorCode = ${text}${path ? ` for ${path}` : ""}`;
}

/** CliWrapperException's wording for the codes it names; KeeperException's message otherwise. */
const cliPrefixes = new Map<number, string>([
  [Code.NoNode, "Node does not exist: "],
  [Code.NoChildrenForEphemerals, "Ephemerals cannot have children: "],
  [Code.NodeExists, "Node already exists: "],
  [Code.NotEmpty, "Node not empty: "],
  [Code.NotReadOnly, "Not a read-only call: "],
  [Code.InvalidACL, "Acl is not valid : "],
  [Code.NoAuth, "Insufficient permission : "],
  [Code.BadArguments, "Arguments are not valid : "],
  [Code.BadVersion, "version No is not valid : "],
  [Code.QuotaExceeded, "Quota has exceeded : "],
]);

/** CliWrapperException's own sentences (3.8.0's, checked against its zkCli). */
const cliSentences = new Map<number, string>([
  [
    Code.ReconfigInProgress,
    "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)",
  ],
  [
    Code.NewConfigNoQuorum,
    "No quorum of new config is connected and up-to-date with the leader of last committed config - try invoking reconfiguration after new servers are connected and synced",
  ],
]);

export function errorLine(error: unknown): string {
  if (error instanceof InvalidPathError) return error.message;
  if (error instanceof PaddockError) {
    const sentence = cliSentences.get(error.code);
    if (sentence !== undefined) return sentence;
    const prefix = cliPrefixes.get(error.code);
    // Java prints a missing path as "null".
    return prefix !== undefined ? prefix + (error.path || "null") : keeperMessage(error.code, error.path);
  }
  return error instanceof Error ? error.message : String(error);
}
