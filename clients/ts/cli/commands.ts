/**
 * zkCli's commands: the one table of names, usage strings, options and actions. Usage strings
 * and output are ZooKeeper 3.8.0's (see test/unit/cli/fixtures).
 */
import type { Client } from "../src/client.js";
import { Code, errorFor, PaddockError } from "../src/errors.js";
import { op } from "../src/ops.js";
import { validatePath } from "../src/path.js";
import type { CreateModeName, Stat } from "../src/types.js";
import type { WatcherTypeName } from "../src/watch-manager.js";
import { parseAcl } from "./acl-parser.js";
import { formatAcl, formatData, formatStat, javaList, keeperMessage } from "./format.js";
import type { OptionSpec, ParsedArgs } from "./parse-line.js";
import { quotaCommands } from "./quota.js";
import { reconfigCommands } from "./reconfig.js";
import type { Shell } from "./shell.js";

/** A failure whose message zkCli prints as is. */
export class CliError extends Error {}

export interface Command extends OptionSpec {
  name: string;
  /** What follows the name in zkCli's usage line. */
  usage: string;
  /** Positional arguments required after the name. */
  minArgs: number;
  /** Needs a live session (else "Not connected"). */
  session: boolean;
  run(shell: Shell, a: ParsedArgs, client: Client): Promise<void>;
}

const ttlMax = 1099511627775; // ZooKeeper's EphemeralType.TTL max (2^40 - 1)
const deleteAllBatchDefault = 1000;

function intArg(text: string, message: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new CliError(message);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new CliError(message);
  return n;
}

function version(a: ParsedArgs): number | undefined {
  const v = a.values.get("v");
  return v === undefined ? undefined : intArg(v, `version must be an int value: ${v}`);
}

/** Old zkCli forms ("get path watch") still work, with zkCli's notice. */
function deprecatedWatch(shell: Shell, a: ParsedArgs, old: string, now: string): boolean {
  if (a.args.length > 2) {
    shell.errLine(`'${old}' has been deprecated. Please use '${now}' instead.`);
    return true;
  }
  return a.flags.has("w");
}

const childPath = (parent: string, name: string): string =>
  parent === "/" ? `/${name}` : `${parent}/${name}`;

/** Children sorted by name, page by page, so a list over one reply's limit still lists; the first page sets the watch. */
async function pagedChildren(
  client: Client,
  path: string,
  watch: boolean,
): Promise<{ children: string[]; stat: Stat }> {
  const first = await client.getChildrenPage(path, { watch: watch || undefined });
  const children = first.children;
  for (let token = first.nextPageToken; token !== undefined; ) {
    const page = await client.getChildrenPage(path, { pageToken: token });
    children.push(...page.children);
    token = page.nextPageToken;
  }
  return { children, stat: first.stat };
}

async function sortedChildren(client: Client, path: string, watch: boolean): Promise<string[]> {
  return (await pagedChildren(client, path, watch)).children;
}

/** ls -R order, as zkCli: a node's children are listed, then each child's subtree in turn. */
async function listRecursive(shell: Shell, client: Client, path: string, watch: boolean): Promise<void> {
  const visit = async (parent: string, kids: string[]): Promise<void> => {
    const paths = kids.map((k) => childPath(parent, k));
    for (const p of paths) shell.outLine(p);
    const lists = await Promise.all(
      paths.map((p) =>
        sortedChildren(client, p, watch).catch((e: unknown) => {
          if (e instanceof PaddockError && e.code === Code.NoNode) return [] as string[];
          throw e;
        }),
      ),
    );
    for (let i = 0; i < paths.length; i++) await visit(paths[i] ?? "", lists[i] ?? []);
  };
  const top = await sortedChildren(client, path, watch);
  shell.outLine(path);
  await visit(path, top);
}

/** Every path of a subtree, parents before children. */
async function subtree(client: Client, path: string): Promise<string[]> {
  const out = [path];
  for (let i = 0; i < out.length; i++) {
    const parent = out[i] ?? "";
    const { children } = await client.getChildren(parent);
    for (const c of children.sort()) out.push(childPath(parent, c));
  }
  return out;
}

function createMode(a: ParsedArgs): { mode: CreateModeName; ttl?: number } {
  const s = a.flags.has("s");
  const e = a.flags.has("e");
  const c = a.flags.has("c");
  if (c && (s || e)) {
    throw new CliError("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
  }
  const t = a.values.get("t");
  if (t !== undefined) {
    if (e) throw new CliError("TTLs cannot be used with Ephemeral znodes");
    if (c) throw new CliError("TTLs cannot be used with Container znodes");
    if (!/^[+-]?\d+$/.test(t)) throw new CliError("-t argument must be a long value");
    const ttl = Number(t);
    if (ttl <= 0 || ttl > ttlMax)
      throw new CliError(`ttl must be positive and cannot be larger than: ${ttlMax}`);
    return { mode: s ? "PERSISTENT_SEQUENTIAL_WITH_TTL" : "PERSISTENT_WITH_TTL", ttl };
  }
  if (c) return { mode: "CONTAINER" };
  if (e) return { mode: s ? "EPHEMERAL_SEQUENTIAL" : "EPHEMERAL" };
  return { mode: s ? "PERSISTENT_SEQUENTIAL" : "PERSISTENT" };
}

const addWatchUsage =
  "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE";

const table: Command[] = [
  {
    name: "create",
    usage: "[-s] [-e] [-c] [-t ttl] path [data] [acl]",
    flags: "sec",
    values: "t",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      const { mode, ttl } = createMode(a);
      const [, path = "", data, aclText] = a.args;
      const acl = aclText === undefined ? undefined : parseAcl(aclText, (l) => shell.errLine(l));
      try {
        if (acl !== undefined && acl.length === 0) throw errorFor(Code.InvalidACL, "");
        const created = await client.create(path, data, { mode, acl, ttl });
        shell.errLine(`Created ${created.path}`);
      } catch (error) {
        // zkCli's create prints KeeperException's own message before the CLI's line.
        if (error instanceof PaddockError && error.code === Code.InvalidACL) {
          shell.errLine(keeperMessage(error.code, error.path));
        }
        throw error;
      }
    },
  },
  {
    name: "ls",
    usage: "[-s] [-w] [-R] path",
    flags: "swR",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      const path = a.args[1] ?? "";
      const watch = deprecatedWatch(shell, a, "ls path [watch]", "ls [-w] path");
      if (a.flags.has("R")) {
        validatePath(path);
        await listRecursive(shell, client, path, watch);
        return;
      }
      const { children, stat } = await pagedChildren(client, path, watch);
      shell.outLine(javaList(children));
      if (a.flags.has("s")) shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
  {
    name: "get",
    usage: "[-s] [-w] path",
    flags: "sw",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      const watch = deprecatedWatch(shell, a, "get path [watch]", "get [-s] [-w] path");
      const { data, stat } = await client.getData(a.args[1] ?? "", { watch: watch || undefined });
      shell.outLine(formatData(data));
      if (a.flags.has("s")) shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
  {
    name: "set",
    usage: "[-s] [-v version] path data",
    flags: "s",
    values: "v",
    minArgs: 2,
    session: true,
    async run(shell, a, client) {
      const stat = await client.setData(a.args[1] ?? "", a.args[2] ?? "", version(a));
      if (a.flags.has("s")) shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
  {
    name: "delete",
    usage: "[-v version] path",
    values: "v",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      let v = version(a);
      if (a.args.length > 2) {
        shell.errLine(
          "'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.",
        );
        v = intArg(a.args[2] ?? "", `version must be an int value: ${a.args[2]}`);
      }
      await client.delete(a.args[1] ?? "", v);
    },
  },
  {
    name: "deleteall",
    usage: "path [-b batch size]",
    values: "b",
    minArgs: 1,
    session: true,
    async run(_shell, a, client) {
      const b = a.values.get("b");
      const batch = b === undefined ? deleteAllBatchDefault : intArg(b, "-b argument must be an int value");
      const path = a.args[1] ?? "";
      validatePath(path);
      const paths = (await subtree(client, path)).reverse();
      for (let i = 0; i < paths.length; i += Math.max(1, batch)) {
        await client.multi(paths.slice(i, i + Math.max(1, batch)).map((p) => op.delete(p)));
      }
    },
  },
  {
    name: "stat",
    usage: "[-w] path",
    flags: "w",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      const path = a.args[1] ?? "";
      const watch = deprecatedWatch(shell, a, "stat path [watch]", "stat [-w] path");
      const stat = await client.exists(path, { watch: watch || undefined });
      if (stat === null) throw errorFor(Code.NoNode, path);
      shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
  {
    name: "getAcl",
    usage: "[-s] path",
    flags: "s",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      const { acl, stat } = await client.getACL(a.args[1] ?? "");
      shell.out(formatAcl(acl));
      if (a.flags.has("s")) shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
  {
    name: "setAcl",
    usage: "[-s] [-v version] [-R] path acl",
    flags: "sR",
    values: "v",
    minArgs: 2,
    session: true,
    async run(shell, a, client) {
      const path = a.args[1] ?? "";
      const acl = parseAcl(a.args[2] ?? "", (l) => shell.errLine(l));
      if (acl.length === 0) throw errorFor(Code.InvalidACL, "");
      if (a.flags.has("R")) {
        validatePath(path);
        for (const p of await subtree(client, path)) await client.setACL(p, acl);
        return;
      }
      const stat = await client.setACL(path, acl, version(a));
      if (a.flags.has("s")) shell.out(formatStat(stat, shell.options.timeZone));
    },
  },
  {
    name: "addauth",
    usage: "scheme auth",
    minArgs: 1,
    session: true,
    async run(_shell, a, client) {
      await client.addAuth(a.args[1] ?? "", a.args[2] ?? "");
    },
  },
  {
    name: "sync",
    usage: "path",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      try {
        await client.sync(a.args[1] ?? "");
        shell.outLine("Sync is OK");
      } catch (error) {
        if (!(error instanceof PaddockError) || error.code === Code.BadArguments) throw error;
        shell.outLine(`Sync has failed. rc=${error.code}`);
        throw new CliError("", { cause: error });
      }
    },
  },
  {
    name: "getEphemerals",
    usage: "path",
    minArgs: 0,
    session: true,
    async run(shell, a, client) {
      shell.outLine(javaList(await client.getEphemerals(a.args[1] ?? "/")));
    },
  },
  {
    name: "getAllChildrenNumber",
    usage: "path",
    minArgs: 1,
    session: true,
    async run(shell, a, client) {
      shell.outLine(String(await client.getAllChildrenNumber(a.args[1] ?? "")));
    },
  },
  {
    name: "addWatch",
    usage: addWatchUsage,
    values: "m",
    minArgs: 1,
    session: true,
    async run(_shell, a, client) {
      const m = a.values.get("m") ?? "PERSISTENT_RECURSIVE";
      if (m !== "PERSISTENT" && m !== "PERSISTENT_RECURSIVE") throw new CliError(`addWatch ${addWatchUsage}`);
      await client.addWatch(a.args[1] ?? "", m, true);
    },
  },
  {
    name: "removewatches",
    usage: "path [-c|-d|-a] [-l]",
    flags: "cdal",
    minArgs: 1,
    session: true,
    async run(_shell, a, client) {
      const type: WatcherTypeName = a.flags.has("c") ? "children" : a.flags.has("d") ? "data" : "any";
      await client.removeWatches(a.args[1] ?? "", type, undefined, { local: a.flags.has("l") });
    },
  },
  {
    name: "whoami",
    usage: "",
    minArgs: 0,
    session: true,
    async run(shell, _a, client) {
      const infos = await client.whoAmI();
      shell.outLine("Auth scheme: User");
      for (const i of infos) shell.outLine(`${i.scheme}: ${i.user}`);
    },
  },
  {
    name: "close",
    usage: "",
    minArgs: 0,
    session: false,
    async run(shell) {
      await shell.disconnect();
    },
  },
  {
    name: "connect",
    usage: "host:port",
    minArgs: 0,
    session: false,
    async run(shell, a) {
      if (!(await shell.connect(a.args[1] ?? shell.host))) throw new CliError("", {});
    },
  },
  {
    name: "printwatches",
    usage: "on|off",
    minArgs: 0,
    session: false,
    async run(shell, a) {
      const v = a.args[1];
      if (v === undefined) shell.outLine(`printwatches is ${shell.printWatches ? "on" : "off"}`);
      else if (v === "on" || v === "off") shell.printWatches = v === "on";
    },
  },
  {
    name: "history",
    usage: "",
    minArgs: 0,
    session: false,
    async run(shell) {
      for (let i = Math.max(0, shell.commandCount - 10); i <= shell.commandCount; i++) {
        const line = shell.history[i];
        if (line !== undefined) shell.outLine(`${i} - ${line}`);
      }
    },
  },
  ...quotaCommands,
  ...reconfigCommands,
  // redo and quit act on the read loop; run-cli.ts handles them, the table keeps their usage.
  { name: "redo", usage: "cmdno", minArgs: 1, session: false, run: async () => undefined },
  { name: "quit", usage: "", minArgs: 0, session: false, run: async () => undefined },
  {
    name: "help",
    usage: "",
    minArgs: 0,
    session: false,
    async run(shell) {
      shell.io.stderr.write(usageText());
    },
  },
];

export const commands: ReadonlyMap<string, Command> = new Map(table.map((c) => [c.name, c]));

/** zkCli's usage listing: the commands in Java's natural (code unit) order. */
export function usageText(): string {
  const lines = table
    .filter((c) => c.name !== "help")
    .map((c) => `\t${c.name} ${c.usage}`)
    .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return `ZooKeeper -server host:port -client-configuration properties-file cmd args\n${lines.join("\n")}\n`;
}
