import type { Entry, Ready } from "../../server/consensus/ready.js";
import type { ZabNode } from "../../server/consensus/zab-node.js";
import { LogHistory } from "../../server/replica/log-history.js";
import { type Disk, emptyDisk } from "./disk.js";
import { MemberState } from "./member-state.js";

/** A SNAP as it travels: the real snapshot bytes, and the entries they stand for. */
export interface SnapPayload {
  readonly entries: Entry[];
  readonly bytes: Uint8Array;
}

/** One simulated member: its core (undefined while crashed) and what it keeps around it. */
export interface Member {
  readonly id: number;
  node: ZabNode | undefined;
  readonly disk: Disk;
  /** Applied (committed) entries in order; rebuilt from the disk on restart. */
  applied: Entry[];
  /** The tree and session table those entries built (the real ones). */
  state: MemberState;
  restarts: number;
  /** SNAP payloads received, by zxid. */
  snapshots: Map<number, SnapPayload>;
  /** Readys whose entries are written but not yet fsynced, oldest first, with the tick it ends. */
  unsynced: { ready: Ready; entries: Entry[]; due: number }[];
  /** The log's recent records, as the server's LogStorage keeps them for DIFF. */
  history: LogHistory;
}

/** Small, so that learners behind get DIFF from the history as well as SNAP past it. */
const HISTORY_BYTES = 1536;
const HISTORY_CHUNK_BYTES = 512;

export function newHistory(): LogHistory {
  return new LogHistory(HISTORY_BYTES, HISTORY_CHUNK_BYTES);
}

/** A member that has never run: an empty disk, not started. */
export function newMember(id: number): Member {
  return {
    id,
    node: undefined,
    disk: emptyDisk(),
    applied: [],
    state: new MemberState(),
    restarts: 0,
    snapshots: new Map(),
    unsynced: [],
    history: newHistory(),
  };
}

/** The zxid of the member's last fsynced record (0 with an empty log). */
export function durableZxid(m: Member): number {
  return m.disk.log[m.disk.log.length - 1]?.zxid ?? 0;
}
