import type { Tracer } from "@opentelemetry/api";
import { Subject, type Subscription } from "rxjs";
import type { Entry } from "../consensus/ready.js";
import type { ZabNode } from "../consensus/zab-node.js";
import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { Reply, Request } from "../gen/paddock/v1/session.js";
import type { Replica, ReplicaView } from "../replica/replica.js";
import type { SessionTable } from "../sessions/index.js";
import type { DataTree } from "../tree/data-tree.js";
import type { Prep, PrepContext, TxnBody } from "../tree/prep.js";
import { AssertionError, assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import type { Limits } from "../util/limits.js";
import { OrderedQueue } from "../util/ordered-queue.js";
import { PaddockError } from "../util/paddock-error.js";
import type { WatchEventOut, WatchRegistry } from "../watches/watch-registry.js";
import { Forwarder, type ForwardKind, type Waiter } from "./forwarder.js";
import { isLinearizable, isWrite, type Op, opPath } from "./op-kinds.js";
import { onPeerMessage } from "./peer-messages.js";
import { executeRead, type ReadContext } from "./read-ops.js";
import { refusal as refusalOf } from "./refusal.js";
import { errorReply, okReply, outcomeReply, type ReplyResult } from "./replies.js";
import { Requester, type Slot } from "./requester.js";
import { applySessionEffects } from "./session-effects.js";
import { startRequestSpan } from "./tracing.js";
import { SessionUpkeep } from "./upkeep.js";
import { prepareWrite } from "./write-ops.js";

export interface PipelineOptions {
  readonly limits: Limits;
  readonly tickMs: number;
  readonly containerCheckMs: number;
  readonly proposalsInFlightMax: number;
}

export interface PipelineDeps {
  readonly tree: DataTree;
  readonly prep: Prep;
  readonly sessions: SessionTable;
  readonly watches: WatchRegistry;
  /** This member's replication: the ZAB core, its Ready loop and the peers. */
  readonly replica: Replica;
  readonly clock: () => number;
  readonly tracer: Tracer | undefined;
  readonly log: (level: "info" | "warn" | "error", message: string) => void;
  /** Told how many transactions each apply batch applied (snapshot scheduling). */
  readonly afterApply?: (count: number) => void;
  /** Storage failed: the member stops taking writes (health reports it). */
  readonly storageFailed?: (error: Error) => void;
  /** Serving started or stopped (health reports it). */
  readonly servingChanged?: (serving: boolean) => void;
}

/** A barrier slot waits for its noop transaction to apply (sync and linearizable reads). */
const BARRIER_PENDING = Number.POSITIVE_INFINITY;

/**
 * The request-processor chain, assembled in one place: requests arrive as envelopes on `inbound$`,
 * writes are prepped and proposed at once on the leader (forwarded to it elsewhere), the Ready loop
 * persists and commits them, and `apply` applies committed transactions in zxid order, fires watch
 * events and answers the local requesters in a plain loop. Reads run at the head of their
 * session's queue against the applied tree.
 */
export class Pipeline {
  readonly inbound$ = new Subject<{ requester: Requester; requests: readonly Request[] }>();
  /** Sessions with a requester on this server, attached to a stream or not. */
  readonly local = new Map<bigint, Requester>();
  /** Waiters of the leader's own proposals, by zxid. */
  private readonly waiting = new OrderedQueue<Waiter>();
  readonly forwarder: Forwarder;
  readonly upkeep: SessionUpkeep;
  private readonly events: WatchEventOut[] = [];
  private readonly subscriptions: Subscription[] = [];
  readonly stats = { received: 0, sent: 0 };
  private readonly readContext: ReadContext;
  private outstanding = 0;
  private appliedZxid: number;
  private storageFailure: Error | undefined;
  private unaryXid = 0;
  /** Leading in broadcast: prep and propose here. */
  private leading = false;
  private serving = false;

  constructor(
    readonly deps: PipelineDeps,
    readonly options: PipelineOptions,
  ) {
    this.appliedZxid = deps.tree.lastZxid;
    this.readContext = { tree: deps.tree, watches: deps.watches, limits: options.limits };
    this.forwarder = new Forwarder(deps.replica, options.proposalsInFlightMax);
    this.upkeep = new SessionUpkeep(this);
    deps.replica.attach({
      apply: (committed) => this.apply(committed),
      storageFailed: (error) => this.onStorageFailed(error),
      viewChanged: (view) => this.onViewChanged(view),
      peerMessage: (from, message) => onPeerMessage(this, from, message),
    });
    this.subscriptions.push(
      this.inbound$.subscribe(({ requester, requests }) => {
        for (const request of requests) this.handleGuarded(requester, request);
      }),
      ...this.upkeep.start(options.tickMs, options.containerCheckMs),
    );
    this.onViewChanged(deps.replica.view);
  }

  get node(): ZabNode {
    return this.deps.replica.node;
  }

  get zxid(): number {
    return this.appliedZxid;
  }

  get outstandingCount(): number {
    return this.outstanding;
  }

  get failure(): Error | undefined {
    return this.storageFailure;
  }

  get isLeading(): boolean {
    return this.leading;
  }

  get isServing(): boolean {
    return this.serving;
  }

  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.deps.replica.stop();
    this.inbound$.complete();
  }

  /** A sessionless call (DataService): its own one-request queue; resolves with the reply. */
  unary(op: Op, ids: Requester["ids"], trace: Record<string, string> = {}, timeoutMs = 0): Promise<Reply> {
    return new Promise((resolve) => {
      let answered = false;
      const requester = new Requester(0n, ids, {
        send: (message) => {
          if (!answered && message.kind?.$case === "reply") {
            answered = true;
            resolve(message.kind.value);
          }
        },
        end: () => {},
      });
      // A forwarded write names its request by xid: unary calls get distinct ones.
      this.unaryXid = (this.unaryXid % 0x7fff_ffff) + 1;
      this.handle(requester, { xid: this.unaryXid, timeoutMs, trace, op });
    });
  }

  /** Proposes a transaction built outside the request path (sessions, containers). Leader only. */
  proposeInternal(sessionId: bigint, build: (zxid: number) => TxnBody, waiter: Waiter | undefined): void {
    this.assertWritable();
    const zxid = this.node.peekZxid();
    this.propose(sessionId, 0, build(zxid), zxid, waiter, 0, 0);
  }

  /** Throws unless this member leads and may propose now. */
  assertWritable(): void {
    if (this.storageFailure) {
      throw new PaddockError(
        Code.SystemError,
        "",
        `not accepting writes: storage failed: ${this.storageFailure.message}`,
      );
    }
    if (!this.leading) throw new PaddockError(Code.ConnectionLoss, "", "this member does not lead");
    if (!this.node.canPropose()) {
      throw new PaddockError(
        Code.Throttled,
        "",
        `not accepting writes: ${this.options.proposalsInFlightMax} proposals in flight (proposalsInFlightMax)`,
      );
    }
  }

  /**
   * Hands one transaction to the core. `origin`/`ref` name a follower's forwarded request (its
   * member id and handle), 0 for the leader's own; the leader's own waiters are kept by zxid.
   */
  propose(
    sessionId: bigint,
    cxid: number,
    body: TxnBody,
    zxid: number,
    waiter: Waiter | undefined,
    origin: number,
    ref: number,
  ): void {
    const txn: Txn = {
      zxid: 0n,
      sessionId,
      cxid,
      time: BigInt(this.deps.clock()),
      origin,
      originRef: ref,
      body,
    };
    const assigned = this.node.propose(txn);
    if (assigned !== zxid) assert(false, `proposal got zxid ${assigned}, prep used ${zxid}`);
    if (waiter !== undefined) this.waiting.push(zxid, waiter);
    this.deps.replica.kick();
  }

  /** A sign of life from a session: the leader restarts its timeout, a follower tells the leader. */
  touchSession(sessionId: bigint): void {
    this.upkeep.touched(sessionId);
  }

  /** What handling one request throws becomes that request's error; a broken invariant still stops. */
  private handleGuarded(requester: Requester, request: Request): void {
    try {
      this.handle(requester, request);
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      this.deps.log(
        "error",
        `request xid ${request.xid} failed: ${error instanceof Error ? error.stack : error}`,
      );
      this.answerNow(requester, request, error);
    }
  }

  handle(requester: Requester, request: Request): void {
    const op = request.op;
    const sessionId = requester.sessionId;
    this.stats.received++;
    if (requester.isSession) this.touchSession(sessionId);
    const refusal = op === undefined ? undefined : refusalOf(this, requester, op);
    if (op === undefined || refusal !== undefined) {
      this.answerNow(
        requester,
        request,
        refusal ?? PaddockError.badArguments("", `request xid ${request.xid} has no op`),
      );
      return;
    }
    const span = this.deps.tracer ? startRequestSpan(this.deps.tracer, request, op, sessionId) : undefined;
    const deadline = request.timeoutMs > 0 ? this.deps.clock() + request.timeoutMs : 0;
    const slot: Slot = { request, reply: undefined, barrier: 0, deadline, span };
    this.outstanding++;
    if (op.$case === "addAuth") {
      // Applied on arrival, as ZooKeeper: later requests of the envelope are checked with it.
      slot.reply = this.addAuth(requester, request.xid, op.value.scheme, op.value.auth);
    } else if (isWrite(op)) {
      slot.reply = this.write(requester, slot, op, false);
    } else if (isLinearizable(op)) {
      // A noop through ZAB: its commit proves a quorum still follows the leader after the read
      // arrived, and once it applies here every write acknowledged before the read is applied.
      slot.barrier = BARRIER_PENDING;
      slot.reply = this.write(requester, slot, op, true);
    }
    requester.queue.push(slot);
    this.drain(requester);
  }

  /** An answer that needs no slot of its own still leaves after the earlier replies (FIFO). */
  private answerNow(requester: Requester, request: Request, error: unknown): void {
    const reply = errorReply(request.xid, this.appliedZxid, error);
    if (requester.queue.length === 0) {
      requester.sink?.send({ kind: { $case: "reply", value: reply } });
      return;
    }
    if (requester.queue.length >= 2 * this.options.limits.outstandingPerSessionMax) {
      // A client that keeps sending past Throttled answers: close its stream, as ZooKeeper closes
      // an overloaded connection; the session survives and may resume.
      requester.sink?.end();
      requester.sink = undefined;
      return;
    }
    this.outstanding++;
    requester.queue.push({ request, reply, barrier: 0, deadline: 0, span: undefined });
  }

  /** A write or barrier: prepped and proposed here on the leader, forwarded to it elsewhere. */
  private write(requester: Requester, slot: Slot, op: Op, barrier: boolean): Reply | undefined {
    const xid = slot.request.xid;
    const waiter: Waiter = { requester, slot, barrier, onApplied: undefined, onFailed: undefined };
    try {
      if (!this.leading) {
        if (op.$case === "close") requester.closing = true;
        const kind: ForwardKind = barrier
          ? { $case: "barrier", value: {} }
          : { $case: "request", value: slot.request };
        this.forwarder.forward(waiter, kind, requester.sessionId, opPath(op));
        return undefined;
      }
      this.assertWritable();
      const zxid = this.node.peekZxid();
      let body: TxnBody = { $case: "noop", value: {} };
      if (!barrier) {
        const ctx: PrepContext = {
          sessionId: requester.sessionId,
          ids: requester.ids,
          now: this.deps.clock(),
          ephemeralAllowed: requester.isSession,
        };
        body = prepareWrite(this.deps.prep, requester, op, ctx, zxid);
      }
      slot.span?.addEvent("prepped");
      this.propose(requester.sessionId, xid, body, zxid, waiter, 0, 0);
      return undefined;
    } catch (error) {
      slot.barrier = 0;
      return errorReply(xid, this.appliedZxid, error);
    }
  }

  private addAuth(requester: Requester, xid: number, scheme: string, auth: Uint8Array): Reply {
    try {
      this.authenticate(requester, scheme, auth);
      return okReply(xid, this.appliedZxid, { $case: "addAuth", value: {} });
    } catch (error) {
      return errorReply(xid, this.appliedZxid, error);
    }
  }

  /** Hook set by the composition root: turns (scheme, auth) into identities or throws AuthFailed. */
  authenticate: (requester: Requester, scheme: string, auth: Uint8Array) => void = () => {
    throw new PaddockError(Code.AuthFailed, "", "no authentication provider");
  };

  /** Sends every answered slot at the head of the queue; runs reads that reached the head. */
  drain(requester: Requester): void {
    const queue = requester.queue;
    let sent = 0;
    while (sent < queue.length) {
      const slot = queue[sent]!;
      if (slot.reply === undefined) {
        const op = slot.request.op!;
        if (isWrite(op) || slot.barrier > this.appliedZxid) break;
        slot.reply = this.runRead(requester, slot, op);
      }
      sent++;
      this.outstanding--;
      if (slot.span) {
        if (slot.reply.error) slot.span.setAttribute("paddock.error", slot.reply.error.message);
        slot.span.end();
      }
      this.stats.sent++;
      requester.sink?.send({ kind: { $case: "reply", value: slot.reply } });
    }
    if (sent > 0) queue.splice(0, sent);
  }

  private runRead(requester: Requester, slot: Slot, op: Op): Reply {
    const xid = slot.request.xid;
    if (slot.deadline !== 0 && this.deps.clock() > slot.deadline) {
      return errorReply(
        xid,
        this.appliedZxid,
        new PaddockError(Code.RequestTimeout, opPath(op), `deadline of ${slot.request.timeoutMs} ms passed`),
      );
    }
    try {
      const result: ReplyResult = executeRead(this.readContext, requester, op);
      return okReply(xid, this.appliedZxid, result);
    } catch (error) {
      return errorReply(xid, this.appliedZxid, error);
    }
  }

  /** Committed transactions, in zxid order: apply, fire events, answer. */
  private apply(committed: readonly Entry[]): void {
    const { tree, prep, watches } = this.deps;
    for (const entry of committed) {
      const outcome = tree.apply(entry.txn);
      this.appliedZxid = entry.zxid;
      prep.committed(entry.zxid);
      for (const trigger of outcome.triggers)
        watches.trigger(trigger.path, trigger.type, entry.zxid, this.events);
      if (this.events.length > 0) this.deliverEvents();
      const waiter = this.takeWaiter(entry);
      applySessionEffects(
        this,
        entry.txn,
        waiter !== undefined && waiter.slot !== undefined && !waiter.barrier,
      );
      if (waiter === undefined) continue;
      waiter.onApplied?.(outcome);
      const slot = waiter.slot;
      if (slot === undefined) continue;
      slot.span?.addEvent("applied");
      if (waiter.barrier) slot.barrier = 0;
      else slot.reply = outcomeReply(slot.request.xid, outcome);
      this.drain(waiter.requester);
    }
    this.deps.afterApply?.(committed.length);
  }

  /** The waiter of a transaction proposed for one of this member's clients. */
  private takeWaiter(entry: Entry): Waiter | undefined {
    const origin = entry.txn.origin;
    if (origin !== 0)
      return origin === this.node.serverId ? this.forwarder.take(entry.txn.originRef) : undefined;
    return this.waiting.take(entry.zxid);
  }

  private deliverEvents(): void {
    for (const event of this.events) {
      const requester = this.local.get(event.sessionId);
      requester?.sink?.send({
        kind: { $case: "event", value: { type: event.type, path: event.path, zxid: BigInt(event.zxid) } },
      });
    }
    this.events.length = 0;
  }

  /** SNAP replaced the applied state (tree and sessions) with the leader's at zxid. */
  stateReplaced(zxid: number): void {
    this.appliedZxid = zxid;
    this.deps.prep.reset();
  }

  /** A waiter whose transaction will not be applied for its client. */
  fail(waiter: Waiter, error: PaddockError): void {
    waiter.onFailed?.(error);
    const slot = waiter.slot;
    if (slot === undefined) return;
    slot.barrier = 0;
    slot.reply = errorReply(slot.request.xid, this.appliedZxid, error);
    this.drain(waiter.requester);
  }

  /**
   * The member's role, leader or serving changed. Requests in flight may or may not commit under
   * the next leader, so their clients get ConnectionLoss and every client stream ends: clients
   * reconnect (here or elsewhere), resume their sessions and re-register their watches, as with
   * ZooKeeper when a server stops following its leader.
   */
  private onViewChanged(view: ReplicaView): void {
    const wasLeading = this.leading;
    const wasServing = this.serving;
    this.leading = view.serving && view.role === "leading";
    this.serving = view.serving;
    if (wasServing || wasLeading) this.dropClients(`leader changed (now ${view.role}, epoch ${view.epoch})`);
    if (!this.leading) this.deps.prep.reset();
    if (this.leading && !wasLeading) this.upkeep.restartSessionTimeouts();
    this.deps.log(
      "info",
      `member ${this.node.serverId}: ${view.role}, epoch ${view.epoch}, leader ${view.leaderId}${view.serving ? ", serving" : ""}`,
    );
    if (wasServing !== this.serving) this.deps.servingChanged?.(this.serving);
  }

  private dropClients(reason: string): void {
    const error = new PaddockError(Code.ConnectionLoss, "", `request outcome unknown: ${reason}`);
    const waiters = [...this.waiting.drain().map(([, waiter]) => waiter), ...this.forwarder.takeAll()];
    for (const waiter of waiters) this.fail(waiter, error);
    for (const requester of this.local.values()) {
      requester.sink?.end();
      requester.sink = undefined;
    }
    this.local.clear();
  }

  private onStorageFailed(error: Error): void {
    this.storageFailure = error;
    this.deps.storageFailed?.(error);
    this.deps.log("error", `storage failed, no longer accepting writes: ${error.message}`);
    // Nothing proposed after the failure can be acknowledged: fail the waiting requests.
    for (const [zxid, waiter] of this.waiting.drain()) {
      const path = waiter.slot ? opPath(waiter.slot.request.op!) : "";
      this.fail(
        waiter,
        new PaddockError(Code.SystemError, path, `write ${zxid} not durable: ${error.message}`),
      );
    }
  }
}
