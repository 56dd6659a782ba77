/**
 * zkCli's quota commands (ZooKeeper 3.8.0's setquota, listquota, delquota): client-side work on
 * the ordinary znodes /zookeeper/quota/<path>/zookeeper_limits and .../zookeeper_stats. The
 * server keeps the stats node and checks the limits; these commands write the limits node, read
 * both and refuse nested quotas, with zkCli's wording, streams and exit codes (pinned against
 * zkCli.sh in test/clients/zk/quota.test.ts).
 */
import type { Client } from "../src/client.js";
import { Code, PaddockError } from "../src/errors.js";
import { validatePath } from "../src/path.js";
import type { Command } from "./commands.js";
import type { ParsedArgs } from "./parse-line.js";
import type { Shell } from "./shell.js";

const QUOTA_DIR = "/zookeeper/quota";
const LIMITS_NODE = "zookeeper_limits";
const STATS_NODE = "zookeeper_stats";

/** A message zkCli prints as is (run-cli prints an Error's message and exits 1). */
class QuotaCliError extends Error {}

// --- ZooKeeper's StatsTrack text, as the server reads and writes it (server/tree/quota.ts) ---

type StatsTrack = Map<string, bigint>;

function parseTrack(bytes: Uint8Array): StatsTrack {
  const track: StatsTrack = new Map();
  for (const pair of new TextDecoder().decode(bytes).split(/[,;]+/)) {
    const parts = pair.split("=");
    if (parts.length < 2 || parts[0] === "") continue;
    const value = parts[1] ?? "";
    if (value === "") track.set(parts[0] ?? "", -1n);
    else if (/^[+-]?\d+$/.test(value)) track.set(parts[0] ?? "", BigInt(value));
  }
  return track;
}

function value(track: StatsTrack, key: string): bigint {
  return track.get(key) ?? -1n;
}

function formatTrack(track: StatsTrack): string {
  let text = `count=${value(track, "count")},bytes=${value(track, "bytes")}`;
  const rest = [...track.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
  if (rest.length > 0) text += `=${rest.map((k) => `;${k}=${track.get(k)}`).join("")}`;
  return text;
}

// --- options: one of -n -b -N -B (commons-cli's OptionGroup) ---

const groupLetters = ["n", "b", "N", "B"] as const;
type Letter = (typeof groupLetters)[number];
const keyOf: Record<Letter, string> = { n: "count", b: "bytes", N: "countHardLimit", B: "byteHardLimit" };

/** The group's options given, in command-line order; more than one is commons-cli's error. */
function chosen(given: Iterable<string>): Letter[] {
  const letters = [...given].filter((l): l is Letter => (groupLetters as readonly string[]).includes(l));
  if (letters.length > 1) {
    throw new QuotaCliError(
      `org.apache.commons.cli.AlreadySelectedException: The option '${letters[1]}' was specified but an option from this group has already been selected: '${letters[0]}'`,
    );
  }
  return letters;
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Java's Integer.parseInt / Long.parseLong: undefined where Java throws NumberFormatException. */
function javaInteger(text: string, min: bigint, max: bigint): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n >= min && n <= max ? n : undefined;
}

// --- client-side helpers ---

function isNoNode(error: unknown): boolean {
  return error instanceof PaddockError && error.code === Code.NoNode;
}

async function children(client: Client, path: string): Promise<string[] | undefined> {
  try {
    return (await client.getChildren(path)).children;
  } catch (error) {
    if (isNoNode(error)) return undefined;
    throw error;
  }
}

/** Java's String.split: trailing empty strings dropped. */
function javaSplit(path: string): string[] {
  const parts = path.split("/");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** A quota below path refuses one on path ("/p has a child /p/c which has a quota"). */
async function checkNoChildQuota(client: Client, path: string): Promise<void> {
  const top = QUOTA_DIR + path;
  validatePath(top);
  try {
    await client.getData(top);
  } catch (error) {
    if (isNoNode(error)) return;
    throw error;
  }
  // ZKUtil.visitSubTreeDFS's order: a node's sorted children, then each child's subtree.
  const visit = async (quotaPath: string): Promise<void> => {
    if (quotaPath === top) return;
    if ((await children(client, quotaPath))?.includes(LIMITS_NODE)) {
      throw new QuotaCliError(`${path} has a child ${quotaPath.slice(QUOTA_DIR.length)} which has a quota`);
    }
  };
  const walk = async (quotaPath: string): Promise<void> => {
    const kids = (await children(client, quotaPath))?.sort();
    if (kids === undefined) return;
    for (const k of kids) await visit(`${quotaPath}/${k}`);
    for (const k of kids) await walk(`${quotaPath}/${k}`);
  };
  await visit(top);
  await walk(top);
}

/** A quota above path refuses one on path ("/p/c has a parent /p which has a quota"). */
async function checkNoParentQuota(client: Client, path: string): Promise<void> {
  const splits = javaSplit(path);
  let quotaPath = QUOTA_DIR;
  for (let i = 1; i < splits.length - 1; i++) {
    quotaPath += `/${splits[i]}`;
    const kids = await children(client, quotaPath);
    if (kids === undefined || kids.length === 0) return;
    if (quotaPath !== QUOTA_DIR + path && kids.includes(LIMITS_NODE)) {
      throw new QuotaCliError(`${path} has a parent ${quotaPath.slice(QUOTA_DIR.length)} which has a quota`);
    }
  }
}

async function createIfMissing(client: Client, path: string): Promise<void> {
  if ((await client.exists(path)) !== null) return;
  try {
    await client.create(path);
  } catch (error) {
    if (!(error instanceof PaddockError && error.code === Code.NodeExists)) throw error;
  }
}

/** SetQuotaCommand.checkQuota: limits already below what the subtree holds, on stdout. */
function warnBelow(shell: Shell, limits: StatsTrack, stats: StatsTrack): void {
  const below = (soft: string, hard: string, now: bigint) =>
    (value(limits, soft) > -1n && value(limits, soft) < now) ||
    (value(limits, hard) > -1n && value(limits, hard) < now);
  const count = value(stats, "count");
  const bytes = value(stats, "bytes");
  if (below("count", "countHardLimit", count))
    shell.outLine(`[Warning]: the count quota you create is less than the existing count:${count}`);
  if (below("bytes", "byteHardLimit", bytes))
    shell.outLine(`[Warning]: the bytes quota you create is less than the existing bytes:${bytes}`);
}

async function createQuota(shell: Shell, client: Client, path: string, quota: StatsTrack): Promise<void> {
  if ((await client.exists(path)) === null) throw new QuotaCliError(`${path} does not exist.`);
  await checkNoChildQuota(client, path);
  await checkNoParentQuota(client, path);
  if ((await client.exists(QUOTA_DIR)) === null) {
    try {
      await client.create("/zookeeper");
      await client.create(QUOTA_DIR);
    } catch (error) {
      if (!(error instanceof PaddockError && error.code === Code.NodeExists)) throw error;
    }
  }
  const splits = javaSplit(path);
  let quotaPath = QUOTA_DIR;
  for (let i = 1; i < splits.length; i++) {
    quotaPath += `/${splits[i]}`;
    await createIfMissing(client, quotaPath);
  }
  const statsPath = `${quotaPath}/${STATS_NODE}`;
  const limitsPath = `${quotaPath}/${LIMITS_NODE}`;
  if ((await client.exists(limitsPath)) === null) {
    await client.create(limitsPath, formatTrack(quota));
    await client.create(statsPath, "count=0,bytes=0");
    const limits = parseTrack((await client.getData(limitsPath)).data);
    warnBelow(shell, limits, parseTrack((await client.getData(statsPath)).data));
    return;
  }
  // A quota there already: the limit given replaces its own kind, the others stay.
  const limits = parseTrack((await client.getData(limitsPath)).data);
  for (const [key, v] of quota) if (v > -1n) limits.set(key, v);
  warnBelow(shell, limits, parseTrack((await client.getData(statsPath)).data));
  await client.setData(limitsPath, formatTrack(limits), -1);
}

async function setquota(shell: Shell, a: ParsedArgs, client: Client): Promise<void> {
  const letters = chosen(a.values.keys());
  if (letters.length === 0) {
    throw new QuotaCliError(
      "org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]",
    );
  }
  // args[0] is the command's name, as commons-cli's getArgs() gives it to zkCli.
  if (a.args.length < 2) throw new QuotaCliError(`setquota ${setquotaUsage}`);
  const path = a.args[1] ?? "";
  // zkCli reports these on stderr and still exits 0.
  if (path.startsWith(QUOTA_DIR)) {
    shell.errLine(`cannot set a quota under the path: ${QUOTA_DIR}`);
    return;
  }
  const letter = letters[0]!;
  const text = a.values.get(letter) ?? "";
  const isCount = letter === "n" || letter === "N";
  const n = isCount ? javaInteger(text, INT_MIN, INT_MAX) : javaInteger(text, LONG_MIN, LONG_MAX);
  if (n === undefined) {
    shell.errLine("NumberFormatException happens when parsing the option value");
    return;
  }
  if (isCount ? n <= 0n : n < 0n) {
    shell.errLine(
      isCount
        ? "the num quota must be greater than zero"
        : "the bytes quota must be greater than or equal to zero",
    );
    return;
  }
  const quota: StatsTrack = new Map([
    ["count", -1n],
    ["bytes", -1n],
    ["countHardLimit", -1n],
    ["byteHardLimit", -1n],
  ]);
  quota.set(keyOf[letter], n);
  await createQuota(shell, client, path, quota);
}

async function listquota(shell: Shell, a: ParsedArgs, client: Client): Promise<void> {
  const path = a.args[1] ?? "";
  const limitsPath = `${QUOTA_DIR}${path}/${LIMITS_NODE}`;
  shell.errLine(`absolute path is ${limitsPath}`);
  let limits: StatsTrack;
  let stats: StatsTrack;
  try {
    limits = parseTrack((await client.getData(limitsPath)).data);
    stats = parseTrack((await client.getData(`${QUOTA_DIR}${path}/${STATS_NODE}`)).data);
  } catch (error) {
    if (!isNoNode(error)) throw error;
    shell.errLine(`quota for ${path} does not exist.`);
    return;
  }
  shell.outLine(`Output quota for ${path} ${formatTrack(limits)}`);
  shell.outLine(`Output stat for ${path} ${formatTrack(stats)}`);
}

/** DelQuotaCommand.trimProcQuotas: empty quota directories go, upwards. */
async function trimQuotaDirs(client: Client, path: string): Promise<void> {
  for (let p = path; p !== QUOTA_DIR; p = p.slice(0, p.lastIndexOf("/"))) {
    if ((await client.getChildren(p)).children.length > 0) return;
    await client.delete(p, -1);
  }
}

async function delquota(shell: Shell, a: ParsedArgs, client: Client): Promise<void> {
  const letters = chosen(a.flags);
  if (a.args.length < 2) throw new QuotaCliError(`delquota ${delquotaUsage}`);
  const path = a.args[1] ?? "";
  const dir = QUOTA_DIR + path;
  const limitsPath = `${dir}/${LIMITS_NODE}`;
  try {
    if ((await client.exists(limitsPath)) === null) {
      shell.outLine(`Quota does not exist for ${path}`);
      return;
    }
    const limits = parseTrack((await client.getData(limitsPath)).data);
    if (letters.length === 0) {
      // The whole quota: the limits and stats nodes, then its directories while empty.
      for (const child of (await client.getChildren(dir)).children)
        await client.delete(`${dir}/${child}`, -1);
      await trimQuotaDirs(client, dir);
      return;
    }
    limits.set(keyOf[letters[0]!], -1n);
    await client.setData(limitsPath, formatTrack(limits), -1);
  } catch (error) {
    if (!isNoNode(error)) throw error;
    shell.errLine(`quota for ${path} does not exist.`);
  }
}

const setquotaUsage = "-n|-b|-N|-B val path";
const delquotaUsage = "[-n|-b|-N|-B] path";

/**
 * minArgs 0: commons-cli's option errors come before zkCli's usage line, so the commands check
 * their arguments themselves.
 */
export const quotaCommands: Command[] = [
  { name: "setquota", usage: setquotaUsage, values: "nbNB", minArgs: 0, session: true, run: setquota },
  { name: "listquota", usage: "path", minArgs: 1, session: true, run: listquota },
  { name: "delquota", usage: delquotaUsage, flags: "nbNB", minArgs: 0, session: true, run: delquota },
];
