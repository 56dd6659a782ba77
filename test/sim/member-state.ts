import type { Entry } from "../../server/consensus/ready.js";
import type { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import { snapshotInput } from "../../server/main/durability.js";
import { encodeSnapshot, parseSnapshot } from "../../server/persistence/snapshot.js";
import { applySessionTxn } from "../../server/sessions/apply-session-txn.js";
import { SessionTable } from "../../server/sessions/index.js";
import { Perms } from "../../server/tree/acl-check.js";
import { type ApplyOutcome, DataTree } from "../../server/tree/data-tree.js";
import { txnOf } from "./disk.js";

/** Znodes every member starts with (zxids 1..n, below any epoch's): the clients' objects. */
export const REGISTERS = ["/k0", "/k1", "/k2"];
export const QUEUE = "/q";
export const EPHEMERALS = "/e";
const INITIAL = [...REGISTERS, QUEUE, EPHEMERALS];

function sessionTable(): SessionTable {
  return new SessionTable({ tickMs: 1, minTimeoutMs: 1, maxTimeoutMs: 1_000_000, sessionsMax: 10_000 });
}

/**
 * A member's applied state, as the server keeps it: the real DataTree and SessionTable, fed the
 * committed transactions; SNAP moves it in the real snapshot format.
 */
export class MemberState {
  tree = new DataTree();
  sessions = sessionTable();

  constructor() {
    INITIAL.forEach((path, i) => {
      this.tree.apply({
        ...txnOf({
          $case: "create",
          value: {
            path,
            data: Buffer.alloc(0),
            acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
            ephemeralOwner: 0n,
            parentCversion: i + 1,
          },
        }),
        zxid: BigInt(i + 1),
      });
    });
  }

  /** Applies one committed entry to the tree and the session table (plantLocalTime: tests only). */
  apply(entry: Entry, plantLocalTime = 0): ApplyOutcome {
    const txn: Txn = { ...entry.txn, zxid: BigInt(entry.zxid) };
    // The planted bug: a member stamps the change with its own clock, not the leader's.
    if (plantLocalTime !== 0) txn.time = BigInt(plantLocalTime);
    const outcome = this.tree.apply(txn);
    applySessionTxn(txn, this.sessions, 0);
    return outcome;
  }

  /** The state at the last applied zxid, as a leader sends it for SNAP. */
  encode(): Uint8Array {
    return encodeSnapshot(snapshotInput(this.tree, this.sessions));
  }

  /** Takes over a leader's SNAP bytes; throws if they do not rebuild the digest they name. */
  install(zxid: number, bytes: Uint8Array): void {
    const snapshot = parseSnapshot("sim-snap", bytes);
    const restored = DataTree.restore(snapshot.acls, snapshot.nodes, zxid);
    if (restored.digest !== snapshot.header.digest) throw new Error(`SNAP ${zxid}: digest mismatch`);
    this.tree.replaceWith(restored);
    this.sessions = sessionTable();
    for (const s of snapshot.sessions) this.sessions.add(s.sessionId, s.timeoutMs, s.password, 0);
  }

  /** A fresh state that replays `entries` (a restart: the sim keeps no snapshot files). */
  static replay(entries: readonly Entry[]): MemberState {
    const state = new MemberState();
    for (const e of entries) state.apply(e);
    return state;
  }
}
