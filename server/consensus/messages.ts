import type { MemberConfig } from "./member-config.js";
import type { Entry, Role } from "./ready.js";
import type { Vote } from "./vote.js";

/**
 * Peer messages of the ZAB core as plain data; the transport maps them to protobuf. Every message
 * after election carries the epoch it belongs to, so a member drops what a former leader sent.
 * Proposals and informs carry the zxid they follow, so a lost message shows as a gap (on a real
 * FIFO stream it never happens; the simulator drops messages to prove the check).
 */
export type ZabMessage =
  /**
   * Fast leader election: the sender's vote, its election round and its state, and its active
   * configuration, so a member that missed a reconfig (or was removed by one) learns it.
   */
  | {
      readonly type: "notification";
      readonly vote: Vote;
      readonly round: number;
      readonly state: Role;
      readonly config?: MemberConfig;
      /** The sender's newest reconfig not yet committed: a member it adds may follow already. */
      readonly pending?: MemberConfig;
    }
  /** Learner → leader: what it has. `attempt` tells a retransmission from a new connection. */
  | {
      readonly type: "followerInfo";
      readonly attempt: number;
      readonly acceptedEpoch: number;
      readonly currentEpoch: number;
      readonly lastZxid: number;
      readonly observer: boolean;
    }
  /** Leader → learner: the new epoch (ZooKeeper's LEADERINFO / NEWEPOCH). */
  | { readonly type: "leaderInfo"; readonly epoch: number }
  /** `fresh` is false when the learner had already accepted this epoch: it must not count. */
  | {
      readonly type: "ackEpoch";
      readonly epoch: number;
      readonly fresh: boolean;
      readonly currentEpoch: number;
      readonly lastZxid: number;
    }
  /** Synchronisation markers; proposals of the leader's history follow DIFF and TRUNC and SNAP. */
  | { readonly type: "diff"; readonly epoch: number; readonly zxid: number }
  | { readonly type: "trunc"; readonly epoch: number; readonly zxid: number }
  /**
   * The driver attaches the leader's state at `zxid` (its applied state) to this message; `config`
   * is the leader's active configuration, which a state from before a reconfig does not show.
   */
  | { readonly type: "snap"; readonly epoch: number; readonly zxid: number; readonly config?: MemberConfig }
  | { readonly type: "newLeader"; readonly epoch: number; readonly zxid: number }
  | { readonly type: "ackNewLeader"; readonly epoch: number; readonly zxid: number }
  | { readonly type: "upToDate"; readonly epoch: number; readonly commitZxid: number }
  | { readonly type: "proposal"; readonly epoch: number; readonly prevZxid: number; readonly entry: Entry }
  /** Cumulative: every entry up to `zxid` is durable on the sender. */
  | { readonly type: "ack"; readonly epoch: number; readonly zxid: number }
  /** Cumulative: every entry up to `zxid` is committed. */
  | { readonly type: "commit"; readonly epoch: number; readonly zxid: number }
  /** Leader → observer: a committed entry (ZooKeeper's INFORM). */
  | { readonly type: "inform"; readonly epoch: number; readonly prevZxid: number; readonly entry: Entry }
  | { readonly type: "ping"; readonly epoch: number };

export type ZabMessageType = ZabMessage["type"];
