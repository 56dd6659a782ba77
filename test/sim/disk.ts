import type { MemberConfig } from "../../server/consensus/member-config.js";
import type { Entry, EntryHistory } from "../../server/consensus/ready.js";
import { type Random, ZabNode } from "../../server/consensus/zab-node.js";
import type { Txn } from "../../server/gen/paddock/internal/v1/txn.js";

/** What survives a crash in the in-process drivers: the epochs, the log, how far it was applied. */
export interface Disk {
  acceptedEpoch: number;
  currentEpoch: number;
  log: Entry[];
  appliedZxid: number;
  /** The last active configuration the core reported (the server's dynamic config file). */
  config?: MemberConfig;
}

export function emptyDisk(): Disk {
  return { acceptedEpoch: 0, currentEpoch: 0, log: [], appliedZxid: 0 };
}

/** A member's core as it restarts from its disk, the way the server recovers. */
export function nodeFromDisk(
  id: number,
  disk: Disk,
  membership: { voters: readonly number[]; observers: readonly number[]; config?: MemberConfig },
  limits: { proposalsInFlightMax: number; logEntriesMax: number; random?: Random; history?: EntryHistory },
): ZabNode {
  return new ZabNode({
    id,
    ...membership,
    // As the server: the dynamic config file, once a reconfig was seen, wins over zoo.cfg's.
    ...(disk.config !== undefined ? { config: disk.config } : {}),
    acceptedEpoch: disk.acceptedEpoch,
    currentEpoch: disk.currentEpoch,
    lastZxid: disk.log[disk.log.length - 1]?.zxid ?? 0,
    log: disk.log,
    logBaseZxid: 0,
    committedZxid: disk.appliedZxid,
    ...limits,
  });
}

/** A transaction with this body and every other field zero (the leader sets the zxid). */
export function txnOf(body: Txn["body"]): Txn {
  return { zxid: 0n, sessionId: 0n, cxid: 0, time: 0n, origin: 0, originRef: 0, body };
}
