import type { ForwardedRequest, TraceContext } from "../gen/paddock/internal/v1/peer.js";
import type { Replica } from "../replica/replica.js";
import type { ApplyOutcome } from "../tree/data-tree.js";
import { Code } from "../util/error-code.js";
import { OrderedQueue } from "../util/ordered-queue.js";
import { PaddockError } from "../util/paddock-error.js";
import type { Requester, Slot } from "./requester.js";

/** What the apply step does for a transaction proposed (or forwarded) for a local requester. */
export interface Waiter {
  readonly requester: Requester;
  /** A write's slot (answered with the outcome) or a barrier's slot (released to run its read). */
  readonly slot: Slot | undefined;
  readonly barrier: boolean;
  readonly onApplied: ((outcome: ApplyOutcome) => void) | undefined;
  /** The transaction will not be applied for this member's client (refused, leader lost). */
  readonly onFailed: ((error: PaddockError) => void) | undefined;
}

export type ForwardKind = ForwardedRequest["kind"];

/**
 * A follower's or observer's side of request forwarding: each write (or barrier) goes to the
 * leader with a handle of this member's; the transaction comes back through ZAB carrying
 * origin = this member and origin_ref = the handle, and the apply step takes the waiter back.
 * A refusal comes back as a ForwardedReply. Bounded: past forwardedMax the request is Throttled.
 */
export class Forwarder {
  /** Handles are sequence numbers on the wire modulo REF_MODULUS; the queue keys them unwrapped. */
  private nextSeq = 1;
  private readonly pending = new OrderedQueue<Waiter>();

  constructor(
    private readonly replica: Pick<Replica, "sendToLeader">,
    private readonly forwardedMax: number,
    /** Where handle numbering starts (tests start near the uint32 wrap). */
    firstSeq = 1,
  ) {
    this.nextSeq = firstSeq;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Throws ConnectionLoss without a leader to forward to, Throttled past the bound. */
  forward(
    waiter: Waiter,
    kind: ForwardKind,
    sessionId: bigint,
    path: string,
    trace: TraceContext | undefined = undefined,
    localSession = false,
  ): void {
    if (this.pending.size >= this.forwardedMax) {
      throw new PaddockError(
        Code.Throttled,
        path,
        `forwardedRequestsMax ${this.forwardedMax} requests already forwarded to the leader`,
      );
    }
    const seq = this.nextSeq++;
    const ref = refOf(seq);
    const requester = waiter.requester;
    const value: ForwardedRequest = {
      ref,
      sessionId,
      ids: [...(waiter.slot?.ids ?? requester.ids)],
      ephemeralAllowed: requester.isSession,
      kind,
      trace,
      localSession,
    };
    if (!this.replica.sendToLeader({ kind: { $case: "forward", value } })) {
      throw new PaddockError(Code.ConnectionLoss, path, "no connection to the leader: try again");
    }
    this.pending.push(seq, waiter);
  }

  /** The waiter of the request forwarded under `ref` (the leader refused it), removed. */
  take(ref: number): Waiter | undefined {
    const seq = this.seqOf(ref);
    return seq === undefined ? undefined : this.pending.take(seq);
  }

  /**
   * The waiter of a committed transaction that carries this member as its origin and `ref`,
   * removed, if the transaction is that waiter's request: the same session and xid (0 for a
   * barrier or a new session), as ZooKeeper's CommitProcessor matches a commit to its pending
   * request. A transaction this member forwarded before it restarted can commit after: its handle
   * may name a request of the new incarnation, which must not be answered with it (found by the
   * real-pipeline simulator, seed 1342: a create acknowledged with another client's zxid).
   */
  takeCommitted(ref: number, sessionId: bigint, cxid: number): Waiter | undefined {
    const seq = this.seqOf(ref);
    if (seq === undefined) return undefined;
    const waiter = this.pending.get(seq);
    if (waiter === undefined || waiter.requester.sessionId !== sessionId) return undefined;
    const xid = waiter.barrier || waiter.slot === undefined ? 0 : waiter.slot.request.xid;
    return xid === cxid ? this.pending.take(seq) : undefined;
  }

  /** The pending sequence number a handle stands for, if any can. */
  private seqOf(ref: number): number | undefined {
    const oldest = this.pending.oldestId;
    if (oldest === undefined || ref < 1 || ref > REF_MODULUS) return undefined;
    // The pending handles span far fewer than 2^32 sequence numbers: the one at or after the
    // oldest with this handle is the only candidate.
    return oldest + ((ref - refOf(oldest) + REF_MODULUS) % REF_MODULUS);
  }

  /** Every pending request, removed: the leader changed, their fate is unknown to the client. */
  takeAll(): Waiter[] {
    return this.pending.drain().map(([, waiter]) => waiter);
  }
}

/** Handles are uint32 on the wire and never 0. */
const REF_MODULUS = 0xffff_ffff;

/** A first handle, 1 to 2^32-1, from four random bytes. */
export function firstHandle(bytes: Uint8Array): number {
  const n = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return (n % REF_MODULUS) + 1;
}

function refOf(seq: number): number {
  return ((seq - 1) % REF_MODULUS) + 1;
}
