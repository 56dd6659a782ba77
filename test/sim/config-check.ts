import { configOfEntry, type MemberConfig, votersOf } from "../../server/consensus/member-config.js";
import type { Entry, Outbound } from "../../server/consensus/ready.js";
import { quorumSize } from "../../server/consensus/vote.js";
import type { ZabNode } from "../../server/consensus/zab-node.js";
import { configText } from "../../server/util/server-line.js";

const hex = (zxid: number): string => `0x${zxid.toString(16)}`;
const membersKey = (c: MemberConfig): string => configText(c.members, 0);
const has = (c: MemberConfig | undefined, id: number): boolean =>
  c?.members.some((m) => m.id === id) ?? false;
/**
 * Acknowledgements a member that knows it is removed never sends. ackEpoch is not among them: a
 * member of no configuration follows a leader whose pending reconfig adds it (that reconfig needs
 * its acks) and accepts the epoch before syncing brings the reconfig, and so its membership, into
 * its log; by NEWLEADER it has it.
 */
const ACKS = new Set(["ack", "ackNewLeader"]);

/**
 * The simulator's configuration checkers (reconfig). Committed configurations come from the
 * committed chain, in zxid order; activations from each member's Ready.config.
 */
export class ConfigChecker {
  /** The static configuration, then every committed reconfig, in zxid order. */
  readonly committed: MemberConfig[];
  /** Version → the members of every activation of it (one value, or the check fails). */
  private readonly activated = new Map<number, { key: string; by: number }>();
  /** Member → the newest version it activated, kept across restarts (its disk keeps the file). */
  private readonly lastActive = new Map<number, number>();
  /** Member → it knew it was removed at the end of its last Ready. */
  private readonly knewRemoved = new Map<number, boolean>();
  /** Committed reconfigs that brought back a member an earlier one removed. */
  readded = 0;

  constructor(
    initial: MemberConfig,
    private readonly fail: (message: string) => never,
  ) {
    this.committed = [initial];
  }

  get latest(): MemberConfig {
    return this.committed[this.committed.length - 1]!;
  }

  /**
   * A new position of the committed chain. It must be durable on a quorum of the newest
   * configuration at or below it (the active one, or a pending one, which joint consensus also
   * requires); a reconfig also on a quorum of the configuration it replaces. `durableOn` lists the
   * members whose disk holds the zxid now: a commit counted on a non-voter's ack shows here.
   */
  committedEntry(e: Entry, durableOn: (zxid: number) => number[]): void {
    const next = configOfEntry(e);
    const holders = durableOn(e.zxid);
    for (const config of next === undefined ? [this.latest] : [this.latest, next]) {
      const voters = votersOf(config);
      const inQuorum = holders.filter((id) => voters.has(id));
      if (inQuorum.length < quorumSize(voters.size)) {
        this.fail(
          `${hex(e.zxid)} committed but durable only on [${inQuorum}] of config ${hex(config.version)}'s voters [${[...voters]}]`,
        );
      }
    }
    if (next === undefined) return;
    const back = next.members.filter(
      (m) => !has(this.latest, m.id) && this.committed.some((c) => has(c, m.id)),
    );
    if (back.length > 0) this.readded++;
    this.committed.push(next);
  }

  /** A member started (its disk's configuration) or a Ready reported its active configuration. */
  activation(id: number, active: MemberConfig, restarted = false): void {
    if (restarted) this.knewRemoved.delete(id);
    const last = this.lastActive.get(id) ?? 0;
    if (active.version < last)
      this.fail(`member ${id} activates config ${hex(active.version)} after ${hex(last)}`);
    this.lastActive.set(id, active.version);
    // Version 0 is each member's static file (a joiner's has itself): no agreement expected.
    if (active.version === 0) return;
    const key = membersKey(active);
    const known = this.activated.get(active.version);
    if (known !== undefined && known.key !== key) {
      this.fail(
        `config ${hex(active.version)} has different members on member ${id}: [${key}] vs [${known.key}] on member ${known.by}`,
      );
    }
    if (known === undefined) this.activated.set(active.version, { key, by: id });
  }

  /**
   * What a removed member may not do, after each of its Readys. One that knows it is removed (in
   * neither its active nor its pending configuration) sends no acknowledgement and does not lead;
   * one that a committed configuration removed (the chain's newest, or a newer one it activated)
   * never leads a broadcasting epoch. It may lead the discovery of an epoch (its log has the
   * reconfig still pending) and steps down when that history commits.
   */
  removedMember(id: number, node: ZabNode, messages: readonly Outbound[]): void {
    const knowsRemoved = !has(node.activeConfig, id) && !has(node.pendingConfig, id);
    // The Ready's messages were made since the last one: an ack is wrong only if it knew then.
    const knew = this.knewRemoved.get(id) ?? false;
    this.knewRemoved.set(id, knowsRemoved);
    if (knowsRemoved) {
      const ack = messages.find((o) => ACKS.has(o.message.type));
      if (knew && ack !== undefined)
        this.fail(
          `member ${id}, not in its config ${hex(node.activeConfig.version)}, sends ${ack.message.type}`,
        );
      if (node.currentRole === "leading")
        this.fail(`member ${id}, not in its config ${hex(node.activeConfig.version)}, leads`);
    }
    const newest = node.activeConfig.version > this.latest.version ? node.activeConfig : this.latest;
    if (!has(newest, id) && node.currentRole === "leading" && node.isBroadcasting)
      this.fail(
        `member ${id}, removed by committed config ${hex(newest.version)}, leads epoch ${node.currentEpoch}`,
      );
  }

  /**
   * After the run: every configuration a member activated is a committed one, members and all
   * (up to the chain's end: a leader may activate one it committed that nobody applied yet).
   */
  final(chainEnd: number): void {
    for (const [version, { key, by }] of this.activated) {
      if (version > chainEnd) continue;
      const committed = this.committed.find((c) => c.version === version);
      if (committed === undefined || membersKey(committed) !== key)
        this.fail(
          `config ${hex(version)} was activated (first by member ${by}) but no committed reconfig has it: [${key}]`,
        );
    }
  }

  /** Configurations committed after the static one. */
  get reconfigs(): number {
    return this.committed.length - 1;
  }
}
