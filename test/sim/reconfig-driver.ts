import type { ConfigMember, MemberConfig } from "../../server/consensus/member-config.js";
import type { ZabNode } from "../../server/consensus/zab-node.js";
import { nextMembers, type ReconfigArgs } from "../../server/pipeline/reconfig-members.js";
import { PaddockError } from "../../server/util/paddock-error.js";
import type { Prng } from "../../server/util/prng.js";
import { formatServerLine } from "../../server/util/server-line.js";
import { txnOf } from "./disk.js";

/** A simulated member's address line (the core reads ids and roles; the prep checks addresses). */
export function simMember(id: number, observer: boolean): ConfigMember {
  return {
    id,
    host: "sim",
    quorumPort: 2000 + id,
    electionPort: 3000 + id,
    observer,
    clientHost: "sim",
    clientPort: 4000 + id,
  };
}

export function simConfig(voters: readonly number[], observers: readonly number[]): MemberConfig {
  return {
    version: 0,
    members: [...voters.map((id) => simMember(id, false)), ...observers.map((id) => simMember(id, true))],
  };
}

export type ReconfigKind = "addVoter" | "addObserver" | "removeVoter" | "removeLeader" | "demote";

/** What the driver does around a reconfig: the simulator's own fault machinery. */
export interface ReconfigHooks {
  /** Hands the leader's Ready out (the proposal leaves, its fsync starts). */
  drain(): void;
  /** Crashes the leader and restarts it a few ticks later; false when another member is down. */
  crashLeader(): boolean;
  /** Cuts the member off for a while; false when a partition is already on. */
  partition(id: number): boolean;
}

/** Proposals per thousand ticks while a leader can take one. */
const RECONFIG_PER_MILLE = 20;

/**
 * Membership changes in the seeded simulator: now and then the leader proposes what zkCli's
 * incremental reconfig would (add a spare as voter or observer, remove a voter, the leader too,
 * turn a voter into an observer), through the pipeline's real admission rules (one reconfig at a
 * time, at least one voter, a synced quorum of the new voters). Right after proposing, the leader
 * sometimes crashes (before or after the proposal left), and a joining member is sometimes cut off.
 */
export class ReconfigDriver {
  readonly stats = {
    proposed: { addVoter: 0, addObserver: 0, removeVoter: 0, removeLeader: 0, demote: 0 },
    /** Refused by the admission rules (mostly: the new voters have no synced quorum). */
    refused: 0,
    crashBeforeSend: 0,
    crashAfterSend: 0,
    joinerPartitions: 0,
  };

  constructor(
    private readonly rng: Prng,
    private readonly ids: readonly number[],
  ) {}

  /** One tick's chance of a reconfig on `leader` (leading, broadcasting). */
  step(leader: ZabNode, hooks: ReconfigHooks): void {
    if (this.rng.below(1000) >= RECONFIG_PER_MILLE) return;
    if (!leader.canPropose() || leader.pendingConfig !== undefined) return;
    const choice = this.choose(leader);
    if (choice === undefined) return;
    const synced = new Set(leader.learners().flatMap((l) => (l.synced ? [l.id] : [])));
    let members: ConfigMember[];
    try {
      members = nextMembers(choice.args, {
        enabled: true,
        standalone: false,
        standaloneEnabled: false,
        active: leader.activeConfig,
        pending: leader.pendingConfig,
        leaderId: leader.serverId,
        synced,
        requestBytesMax: 1 << 20,
      });
    } catch (error) {
      if (!(error instanceof PaddockError)) throw error;
      this.stats.refused++;
      return;
    }
    leader.propose(txnOf({ $case: "reconfig", value: { members } }));
    this.stats.proposed[choice.kind]++;
    const fault = this.rng.below(8);
    if (fault === 0 && hooks.crashLeader()) {
      // Lost with the leader's memory: the proposal never left it.
      this.stats.crashBeforeSend++;
      return;
    }
    hooks.drain();
    if (fault === 1 && hooks.crashLeader()) {
      // Sent, and maybe not durable on the leader.
      this.stats.crashAfterSend++;
      return;
    }
    const joining = choice.kind === "addVoter" || choice.kind === "addObserver";
    if (joining && this.rng.below(3) === 0 && hooks.partition(choice.member)) this.stats.joinerPartitions++;
  }

  private choose(leader: ZabNode): { kind: ReconfigKind; member: number; args: ReconfigArgs } | undefined {
    const active = leader.activeConfig.members;
    const voters = active.filter((m) => !m.observer).map((m) => m.id);
    const outside = this.ids.filter((id) => !active.some((m) => m.id === id));
    const kinds: ReconfigKind[] = [];
    if (outside.length > 0) kinds.push("addVoter", "addObserver");
    if (voters.length > 1) kinds.push("removeVoter", "removeLeader", "demote");
    if (kinds.length === 0) return undefined;
    const kind = kinds[this.rng.below(kinds.length)]!;
    const pick = (ids: readonly number[]): number => ids[this.rng.below(ids.length)]!;
    const none = { joiningServers: "", leavingServers: "", newMembers: "" };
    switch (kind) {
      case "addVoter":
      case "addObserver": {
        const member = pick(outside);
        const line = formatServerLine(simMember(member, kind === "addObserver"));
        return { kind, member, args: { ...none, joiningServers: line } };
      }
      case "removeVoter":
      case "removeLeader": {
        const member = kind === "removeLeader" ? leader.serverId : pick(voters);
        return { kind, member, args: { ...none, leavingServers: String(member) } };
      }
      case "demote": {
        const member = pick(voters);
        return { kind, member, args: { ...none, joiningServers: formatServerLine(simMember(member, true)) } };
      }
    }
  }
}
