import type { MemberConfig } from "../consensus/member-config.js";
import type { ConfigMember } from "../gen/paddock/internal/v1/txn.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { formatServerLine, parseServerLine, ServerLineError, serverIdMax } from "../util/server-line.js";

/** A reconfig request as both doors carry it (ZooKeeper's ReconfigRequest). */
export interface ReconfigArgs {
  readonly joiningServers: string;
  readonly leavingServers: string;
  readonly newMembers: string;
  /** zkCli's -v: absent or -1 for any version. */
  readonly curConfigId?: bigint | undefined;
}

/** What the leader knows when it preps a reconfig. */
export interface ReconfigState {
  /** zoo.cfg reconfigEnabled. */
  readonly enabled: boolean;
  /** Running as ZooKeeper's standalone server (no server lines, or one voter with standaloneEnabled). */
  readonly standalone: boolean;
  /** zoo.cfg standaloneEnabled (default true): a new configuration then needs 2 voters. */
  readonly standaloneEnabled: boolean;
  readonly active: MemberConfig;
  readonly pending: MemberConfig | undefined;
  readonly leaderId: number;
  /** Learners the leader sees synced (observers included). */
  readonly synced: ReadonlySet<number>;
  /** requestBytesMax (jute.maxbuffer): the three strings together may not exceed it. */
  readonly requestBytesMax: number;
}

const CONFIG_PATH = "/zookeeper/config";

function bad(message: string): PaddockError {
  return new PaddockError(Code.BadArguments, CONFIG_PATH, `reconfig: ${message}`);
}

const versionText = (v: number | bigint): string => `0x${v.toString(16)}`;

/**
 * The members of the configuration a reconfig asks for, checked in ZooKeeper 3.8's order
 * (PrepRequestProcessor): reconfigEnabled, standalone, a reconfig in progress, the version, the
 * arguments, the count of voters, a synced quorum of the new voters. The ACL on /zookeeper/config
 * comes after all of these (Prep.reconfig), as in ZooKeeper. Throws PaddockError.
 */
export function nextMembers(args: ReconfigArgs, state: ReconfigState): ConfigMember[] {
  if (!state.enabled)
    throw new PaddockError(
      Code.ReconfigDisabled,
      "",
      "reconfig is disabled: set reconfigEnabled=true in zoo.cfg",
    );
  if (state.standalone) {
    throw new PaddockError(
      Code.Unimplemented,
      "",
      "reconfig needs an ensemble: this server runs standalone (no server.N lines, or one voter with standaloneEnabled=true)",
    );
  }
  if (state.pending !== undefined) {
    throw new PaddockError(
      Code.ReconfigInProgress,
      "",
      `another reconfiguration (version ${versionText(state.pending.version)}) is proposed and not yet committed`,
    );
  }
  const wanted = args.curConfigId;
  if (wanted !== undefined && wanted !== -1n && wanted !== BigInt(state.active.version)) {
    throw new PaddockError(
      Code.BadVersion,
      CONFIG_PATH,
      `reconfig from config version ${versionText(wanted)}: the active configuration is version ${versionText(state.active.version)}`,
    );
  }
  const bytes = args.joiningServers.length + args.leavingServers.length + args.newMembers.length;
  if (bytes > state.requestBytesMax)
    throw bad(`${bytes} characters of arguments, over requestBytesMax ${state.requestBytesMax}`);
  const bulk = args.newMembers.trim() !== "";
  const incremental = args.joiningServers.trim() !== "" || args.leavingServers.trim() !== "";
  if (bulk && incremental)
    throw bad("give either newMembers (bulk) or joining/leaving servers (incremental), not both");
  if (!bulk && !incremental) throw bad("nothing to change: no joining, leaving or new members given");
  const members = bulk ? bulkMembers(args.newMembers) : incrementalMembers(args, state.active);
  checkAddresses(members);
  checkVoters(members, state);
  if (sameMembers(members, state.active.members)) {
    throw bad(
      `the new configuration is the active one (version ${versionText(state.active.version)}): nothing changes`,
    );
  }
  checkSyncedQuorum(members, state);
  return members.sort((a, b) => a.id - b.id);
}

/** `server.N=...` as a ConfigMember; BadArguments naming the line. */
function memberOf(line: string, requireClient: boolean): ConfigMember {
  const eq = line.indexOf("=");
  if (eq < 0) throw bad(`"${line}" is not a server.N=host:quorumPort:electionPort;clientPort line`);
  let parsed: ReturnType<typeof parseServerLine>;
  try {
    parsed = parseServerLine(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  } catch (error) {
    if (error instanceof ServerLineError) throw bad(error.message);
    throw error;
  }
  // As ZooKeeper's incremental reconfig: a joining server must say where its clients connect.
  if (requireClient && parsed.clientPort === undefined)
    throw bad(`${line}: a joining server needs a client port (…;[clientHost:]clientPort)`);
  const member: ConfigMember = {
    id: parsed.id,
    host: parsed.host,
    quorumPort: parsed.quorumPort,
    electionPort: parsed.electionPort,
    observer: parsed.observer,
  };
  if (parsed.clientPort !== undefined) member.clientPort = parsed.clientPort;
  if (parsed.clientHost !== undefined) member.clientHost = parsed.clientHost;
  return member;
}

function incrementalMembers(args: ReconfigArgs, active: MemberConfig): ConfigMember[] {
  const next = new Map(active.members.map((m) => [m.id, m]));
  for (const text of split(args.leavingServers)) {
    const id = Number(text);
    if (!/^\d+$/.test(text) || id < 1 || id > serverIdMax)
      throw bad(`leaving server id "${text}" must be an integer from 1 to ${serverIdMax}`);
    if (!next.has(id))
      throw bad(
        `leaving server ${id} is not in the active configuration (version ${versionText(active.version)})`,
      );
    next.delete(id);
  }
  // As ZooKeeper: leaving first, then joining; a joining id already present is replaced.
  for (const line of split(args.joiningServers)) {
    const member = memberOf(line, true);
    next.set(member.id, member);
  }
  return [...next.values()];
}

function bulkMembers(text: string): ConfigMember[] {
  const byId = new Map<number, ConfigMember>();
  for (const line of text.replaceAll(",", "\n").split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const key = trimmed.slice(0, Math.max(0, trimmed.indexOf("="))).trim();
    // zkCli -file sends the file's text, version line included: the new one gets its own.
    if (key === "version") continue;
    if (!key.startsWith("server.")) throw bad(`"${trimmed}" in newMembers is not a server.N line`);
    const member = memberOf(trimmed, false);
    if (byId.has(member.id)) throw bad(`server ${member.id} appears twice in newMembers`);
    byId.set(member.id, member);
  }
  return [...byId.values()];
}

function split(list: string): string[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** As ZooKeeper's checkAddressDuplicate: two members may not share a quorum or election address. */
function checkAddresses(members: readonly ConfigMember[]): void {
  const seen = new Map<string, number>();
  for (const m of members) {
    for (const p of [m.quorumPort, m.electionPort]) {
      if (p === 0) continue;
      const address = `${m.host}:${p}`;
      const other = seen.get(address);
      if (other !== undefined && other !== m.id)
        throw bad(`servers ${other} and ${m.id} both use address ${address}`);
      seen.set(address, m.id);
    }
  }
}

function checkVoters(members: readonly ConfigMember[], state: ReconfigState): void {
  const voters = members.filter((m) => !m.observer).length;
  const min = state.standaloneEnabled ? 2 : 1;
  if (voters >= min) return;
  throw bad(
    state.standaloneEnabled
      ? `the new configuration has ${voters} voting member(s); with standaloneEnabled=true (the default) it needs at least 2`
      : "the new configuration has no voting member",
  );
}

function sameMembers(a: readonly ConfigMember[], b: readonly ConfigMember[]): boolean {
  const lines = (ms: readonly ConfigMember[]) =>
    ms
      .map((m) => formatServerLine(m))
      .sort()
      .join("\n");
  return a.length === b.length && lines(a) === lines(b);
}

/**
 * ZooKeeper's Leader.isQuorumSynced: a majority of the new voters must be the leader (if it votes
 * in the new configuration) and learners in sync with it, or the new configuration could not
 * commit anything once it is active.
 */
function checkSyncedQuorum(members: readonly ConfigMember[], state: ReconfigState): void {
  const voters = members.filter((m) => !m.observer).map((m) => m.id);
  const ready = voters.filter((id) => id === state.leaderId || state.synced.has(id));
  const quorum = Math.floor(voters.length / 2) + 1;
  if (ready.length >= quorum) return;
  throw new PaddockError(
    Code.NewConfigNoQuorum,
    "",
    `the new configuration's voters [${voters.join(",")}] need ${quorum} in sync with the leader; in sync now: [${ready.join(",")}] (start the new members first and let them sync)`,
  );
}
