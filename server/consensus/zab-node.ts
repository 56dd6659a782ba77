import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import { assert } from "../util/assert.js";
import { COUNTER_LIMIT, makeZxid, zxidEpoch } from "../util/zxid.js";
import type { Entry, Ready, Role } from "./ready.js";

export interface ZabNodeOptions {
  readonly id: number;
  /** Voting members' ids, including this one when it votes. */
  readonly voters: readonly number[];
  /** The epoch and last zxid recovered from disk. */
  readonly acceptedEpoch: number;
  readonly lastZxid: number;
  /** Proposals not yet committed, bounded: propose() refuses past it. */
  readonly proposalsInFlightMax: number;
}

/**
 * The ZAB core as a synchronous state machine (etcd-io/raft's shape). This first version runs the
 * broadcast phase for an ensemble of one, where this member's own durable ack is a quorum; election,
 * discovery and synchronisation with peers arrive with replication, behind the same interface.
 */
export class ZabNode {
  private readonly id: number;
  private role: Role = "looking";
  private epoch: number;
  private nextCounter: number;
  private unpersisted: Entry[] = [];
  /** Persisted, awaiting a quorum of acks (here: ours). */
  private inFlight: Entry[] = [];
  private committable: Entry[] = [];
  /** The Ready handed out and not yet advanced: its arrays are the driver's until then. */
  private pending: Ready | undefined;
  private lastPersisted: number;
  private readonly proposalsInFlightMax: number;

  constructor(options: ZabNodeOptions) {
    assert(
      options.voters.length === 1 && options.voters[0] === options.id,
      "replication is not built yet: one voter",
    );
    this.id = options.id;
    this.proposalsInFlightMax = options.proposalsInFlightMax;
    this.lastPersisted = options.lastZxid;
    // A new leader opens a new epoch, so zxids never repeat across restarts.
    this.epoch = Math.max(options.acceptedEpoch, zxidEpoch(options.lastZxid)) + 1;
    this.nextCounter = 0;
    this.role = "leading";
  }

  get serverId(): number {
    return this.id;
  }

  get currentRole(): Role {
    return this.role;
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  /** The zxid the next proposal will get (prep records outstanding changes under it). */
  peekZxid(): number {
    const [epoch, counter] = this.nextParts();
    return makeZxid(epoch, counter);
  }

  private nextParts(): [number, number] {
    // Counter exhaustion forces a new epoch, as in ZooKeeper.
    return this.nextCounter + 1 >= COUNTER_LIMIT - 1
      ? [this.epoch + 1, 1]
      : [this.epoch, this.nextCounter + 1];
  }

  /** Proposals accepted but not yet committed. */
  get inFlightCount(): number {
    const handedOut = this.pending ? this.pending.entries.length + this.pending.committed.length : 0;
    return this.unpersisted.length + this.inFlight.length + this.committable.length + handedOut;
  }

  canPropose(): boolean {
    return this.role === "leading" && this.inFlightCount < this.proposalsInFlightMax;
  }

  /** Assigns the next zxid and queues the proposal. Leader only. */
  propose(txn: Txn): number {
    assert(this.role === "leading", "propose on a member that does not lead");
    assert(this.inFlightCount < this.proposalsInFlightMax, "proposalsInFlightMax exceeded");
    [this.epoch, this.nextCounter] = this.nextParts();
    const zxid = makeZxid(this.epoch, this.nextCounter);
    txn.zxid = BigInt(zxid);
    this.unpersisted.push({ zxid, txn });
    return zxid;
  }

  tick(): void {
    // Election and heartbeat timeouts arrive with replication.
  }

  hasReady(): boolean {
    return this.unpersisted.length > 0 || this.committable.length > 0;
  }

  /** Hands out what to persist and apply; proposals made before advance() go in the next Ready. */
  ready(): Ready {
    assert(this.pending === undefined, "ready() twice without advance()");
    const ready: Ready = {
      entries: this.unpersisted,
      messages: [],
      committed: this.committable,
      role: this.role,
      epoch: this.epoch,
    };
    this.unpersisted = [];
    this.committable = [];
    this.pending = ready;
    return ready;
  }

  advance(ready: Ready): void {
    assert(ready === this.pending, "advance with a stale Ready");
    this.pending = undefined;
    const persisted = ready.entries;
    if (persisted.length > 0) {
      const last = persisted[persisted.length - 1]!;
      assert(last.zxid > this.lastPersisted, "persisted zxids must grow");
      this.lastPersisted = last.zxid;
    }
    // Our own durable ack is a quorum of one: everything persisted is committed.
    for (const entry of persisted) this.inFlight.push(entry);
    if (this.inFlight.length > 0) {
      this.committable = this.inFlight;
      this.inFlight = [];
    }
  }

  /** The last zxid proposed (persisted or not). */
  get lastZxid(): number {
    if (this.unpersisted.length > 0) return this.unpersisted[this.unpersisted.length - 1]!.zxid;
    const handedOut = this.pending?.entries;
    if (handedOut && handedOut.length > 0) return handedOut[handedOut.length - 1]!.zxid;
    return this.lastPersisted;
  }
}
