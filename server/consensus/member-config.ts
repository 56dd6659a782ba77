import type { ConfigMember } from "../gen/paddock/internal/v1/txn.js";
import type { Entry } from "./ready.js";

export type { ConfigMember } from "../gen/paddock/internal/v1/txn.js";

/**
 * An ensemble configuration: its members (addresses are the driver's; the core reads ids and
 * roles) and its version, the zxid of the reconfig transaction that committed it (0 for the static
 * zoo.cfg one), as ZooKeeper numbers dynamic configurations.
 */
export interface MemberConfig {
  readonly version: number;
  readonly members: readonly ConfigMember[];
}

export function votersOf(config: MemberConfig): Set<number> {
  return new Set(config.members.filter((m) => !m.observer).map((m) => m.id));
}

export function observersOf(config: MemberConfig): Set<number> {
  return new Set(config.members.filter((m) => m.observer).map((m) => m.id));
}

/** The configuration a log entry proposes, if it is a reconfig. */
export function configOfEntry(entry: Entry): MemberConfig | undefined {
  const body = entry.txn.body;
  return body?.$case === "reconfig" ? { version: entry.zxid, members: body.value.members } : undefined;
}

/** A configuration of bare ids (tests, the simulator): no addresses. */
export function idsConfig(voters: readonly number[], observers: readonly number[] = []): MemberConfig {
  const member = (id: number, observer: boolean): ConfigMember => ({
    id,
    host: "",
    quorumPort: 0,
    electionPort: 0,
    observer,
  });
  return {
    version: 0,
    members: [...voters.map((id) => member(id, false)), ...observers.map((id) => member(id, true))],
  };
}
