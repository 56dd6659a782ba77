import type { ZabNode } from "../consensus/zab-node.js";
import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { SessionTable } from "../sessions/index.js";
import type { TxnBody } from "../tree/prep.js";
import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { OrderedQueue } from "../util/ordered-queue.js";
import { PaddockError } from "../util/paddock-error.js";
import type { Waiter } from "./forwarder.js";
import type { MemberState } from "./member-state.js";

/** The request's origin for a follower's forwarded request: its member id and handle. */
export interface Origin {
  readonly member: number;
  readonly ref: number;
}

const LOCAL: Origin = { member: 0, ref: 0 };

/**
 * The one propose path: every transaction (a client's write, a barrier, a forwarded request, a
 * session opened, closed or expired, a container removed) is built here against the zxid it will
 * get and handed to the core. The only reader of the next zxid: prep records its outstanding
 * changes under that zxid, so nothing may propose between the read and the proposal.
 */
export class Proposer {
  /** Waiters of this member's own proposals, by zxid. */
  private readonly waiting = new OrderedQueue<Waiter>();

  constructor(
    private readonly node: ZabNode,
    private readonly member: MemberState,
    private readonly kick: () => void,
    private readonly clock: () => number,
    private readonly proposalsInFlightMax: number,
    private readonly sessions: SessionTable,
  ) {}

  /** Throws unless this member leads and may propose now. */
  assertWritable(): void {
    const failure = this.member.storageFailure;
    if (failure) {
      throw new PaddockError(
        Code.SystemError,
        "",
        `not accepting writes: storage failed: ${failure.message}`,
      );
    }
    if (!this.member.leading) throw new PaddockError(Code.ConnectionLoss, "", "this member does not lead");
    if (!this.node.canPropose()) {
      throw new PaddockError(
        Code.Throttled,
        "",
        `not accepting writes: ${this.proposalsInFlightMax} proposals in flight (proposalsInFlightMax)`,
      );
    }
  }

  /**
   * Builds the body for the next zxid and proposes it; `build` may throw (the request's error) or
   * return undefined (nothing to propose). `build` takes its input as `arg` rather than as a
   * closure: a closure made per request costs a rename under tsx on the hot path. The waiter is answered when the transaction applies.
   * Returns the zxid, or 0 when nothing was proposed.
   */
  propose<A>(
    sessionId: bigint,
    cxid: number,
    build: (zxid: number, arg: A) => TxnBody | undefined,
    arg: A,
    waiter: Waiter | undefined,
    origin: Origin = LOCAL,
  ): number {
    this.assertWritable();
    const zxid = this.node.peekZxid();
    const body = build(zxid, arg);
    if (body === undefined) return 0;
    const txn: Txn = {
      zxid: 0n,
      sessionId,
      cxid,
      time: BigInt(this.clock()),
      origin: origin.member,
      originRef: origin.ref,
      body,
    };
    const assigned = this.node.propose(txn);
    if (assigned !== zxid) assert(false, `proposal got zxid ${assigned}, prep used ${zxid}`);
    // As ZooKeeper's setSessionClosing: once its close is proposed, whatever its way in (a client
    // here, a follower, expiry), the session takes no more writes (refuseClosedSession) and no
    // resume here. Marking only the connection that sent the close let the session, resumed on
    // another connection, create an ephemeral after its close, which then outlived it on every
    // member (found by the real-pipeline simulator).
    if (body.$case === "closeSession") this.sessions.setClosing(sessionId);
    if (waiter !== undefined) this.waiting.push(zxid, waiter);
    this.kick();
    return zxid;
  }

  /** The waiter of this member's own proposal at zxid, if any. */
  take(zxid: number): Waiter | undefined {
    return this.waiting.take(zxid);
  }

  /** Every waiter, removed, oldest first (leader lost or storage failed). */
  takeAll(): [number, Waiter][] {
    return this.waiting.drain();
  }
}
