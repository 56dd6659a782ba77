import type { Tracer } from "@opentelemetry/api";
import { interval, Subject, type Subscription } from "rxjs";
import type { Entry } from "../consensus/ready.js";
import type { ZabNode } from "../consensus/zab-node.js";
import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { Reply, Request } from "../gen/paddock/v1/session.js";
import { ReadyLoop } from "../replica/ready-loop.js";
import type { Storage } from "../replica/storage.js";
import { applySessionTxn, type SessionTable } from "../sessions/index.js";
import type { ApplyOutcome, DataTree } from "../tree/data-tree.js";
import type { Prep, PrepContext, TxnBody } from "../tree/prep.js";
import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import type { Limits } from "../util/limits.js";
import { PaddockError } from "../util/paddock-error.js";
import type { WatchEventOut, WatchRegistry } from "../watches/watch-registry.js";
import { isLinearizable, isWrite, type Op, opPath } from "./op-kinds.js";
import { executeRead, type ReadContext } from "./read-ops.js";
import { errorReply, okReply, outcomeReply, type ReplyResult } from "./replies.js";
import { Requester, type Slot } from "./requester.js";
import { startRequestSpan } from "./tracing.js";
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
  readonly node: ZabNode;
  readonly storage: Storage;
  readonly clock: () => number;
  readonly tracer: Tracer | undefined;
  readonly log: (level: "info" | "warn" | "error", message: string) => void;
  /** Told how many transactions each apply batch applied (snapshot scheduling). */
  readonly afterApply?: (count: number) => void;
  /** Storage failed: the member stops taking writes (health reports it). */
  readonly storageFailed?: (error: Error) => void;
}

/** What the apply step does for a transaction proposed on behalf of a local requester. */
interface Waiter {
  readonly requester: Requester;
  readonly slot: Slot | undefined;
  readonly onApplied: ((outcome: ApplyOutcome) => void) | undefined;
}

/**
 * The request-processor chain, assembled in one place: requests arrive as envelopes on `inbound$`,
 * writes are prepped and proposed at once, the Ready loop persists and commits them, and `apply`
 * applies committed transactions in zxid order, fires watch events and answers the local requesters
 * in a plain loop. Reads run at the head of their session's queue against the applied tree.
 */
export class Pipeline {
  readonly inbound$ = new Subject<{ requester: Requester; requests: readonly Request[] }>();
  /** Sessions with a requester on this server, attached to a stream or not. */
  readonly local = new Map<bigint, Requester>();
  private readonly waiting = new Map<number, Waiter>();
  private readonly barrierWaiters: Requester[] = [];
  private readonly events: WatchEventOut[] = [];
  private readonly loop: ReadyLoop;
  private readonly subscriptions: Subscription[] = [];
  readonly stats = { received: 0, sent: 0 };
  private readonly readContext: ReadContext;
  private outstanding = 0;
  private appliedZxid: number;
  private storageFailure: Error | undefined;
  /** Sessions found expired whose close could not be proposed yet. */
  private expiring: bigint[] = [];

  constructor(
    readonly deps: PipelineDeps,
    readonly options: PipelineOptions,
  ) {
    this.appliedZxid = deps.tree.lastZxid;
    this.readContext = { tree: deps.tree, watches: deps.watches, limits: options.limits };
    this.loop = new ReadyLoop(deps.node, deps.storage, {
      apply: (committed) => this.apply(committed),
      storageFailed: (error) => this.onStorageFailed(error),
    });
    this.subscriptions.push(
      this.inbound$.subscribe(({ requester, requests }) => {
        for (const request of requests) this.handle(requester, request);
      }),
      interval(Math.max(1, Math.floor(options.tickMs / 2))).subscribe(() => this.expireSessions()),
      interval(options.containerCheckMs).subscribe(() => this.checkContainers()),
    );
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

  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.loop.stop();
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
      this.handle(requester, { xid: 1, timeoutMs, trace, op });
    });
  }

  /** Proposes a transaction built outside the request path (sessions, containers). */
  proposeInternal(
    sessionId: bigint,
    build: (zxid: number) => TxnBody,
    requester: Requester,
    onApplied?: (outcome: ApplyOutcome) => void,
  ): void {
    this.assertWritable();
    const zxid = this.deps.node.peekZxid();
    const body = build(zxid);
    this.propose(sessionId, 0, body, zxid, { requester, slot: undefined, onApplied });
  }

  private assertWritable(): void {
    if (this.storageFailure) {
      throw new PaddockError(
        Code.SystemError,
        "",
        `not accepting writes: storage failed: ${this.storageFailure.message}`,
      );
    }
    if (!this.deps.node.canPropose()) {
      throw new PaddockError(
        Code.Throttled,
        "",
        `not accepting writes: ${this.options.proposalsInFlightMax} proposals in flight (proposalsInFlightMax) or not leading`,
      );
    }
  }

  private propose(sessionId: bigint, cxid: number, body: TxnBody, zxid: number, waiter: Waiter): void {
    const txn: Txn = {
      zxid: 0n,
      sessionId,
      cxid,
      time: BigInt(this.deps.clock()),
      origin: 0,
      originRef: 0,
      body,
    };
    const assigned = this.deps.node.propose(txn);
    if (assigned !== zxid) assert(false, `proposal got zxid ${assigned}, prep used ${zxid}`);
    this.waiting.set(zxid, waiter);
    this.loop.kick();
  }

  handle(requester: Requester, request: Request): void {
    const op = request.op;
    const sessionId = requester.sessionId;
    this.stats.received++;
    if (requester.isSession) this.deps.sessions.touch(sessionId, this.deps.clock());
    const refusal = op === undefined ? undefined : this.refusal(requester, op);
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
      slot.reply = this.prepWrite(requester, slot, op);
    } else if (isLinearizable(op)) {
      slot.barrier = this.deps.node.lastZxid;
      if (slot.barrier > this.appliedZxid) this.barrierWaiters.push(requester);
    }
    requester.queue.push(slot);
    this.drain(requester);
  }

  /** Why a request is answered at once instead of queued: a closing session or a limit. */
  private refusal(requester: Requester, op: Op): PaddockError | undefined {
    const limits = this.options.limits;
    if (requester.closing) return new PaddockError(Code.SessionExpired, opPath(op), "session is closing");
    if (this.outstanding >= limits.outstandingGlobalMax) {
      return new PaddockError(
        Code.Throttled,
        opPath(op),
        `outstandingGlobalMax ${limits.outstandingGlobalMax} reached`,
      );
    }
    if (requester.queue.length >= limits.outstandingPerSessionMax) {
      return new PaddockError(
        Code.Throttled,
        opPath(op),
        `outstandingPerSessionMax ${limits.outstandingPerSessionMax} reached`,
      );
    }
    return undefined;
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

  private prepWrite(requester: Requester, slot: Slot, op: Op): Reply | undefined {
    const xid = slot.request.xid;
    try {
      this.assertWritable();
      const zxid = this.deps.node.peekZxid();
      const ctx: PrepContext = {
        sessionId: requester.sessionId,
        ids: requester.ids,
        now: this.deps.clock(),
        ephemeralAllowed: requester.isSession,
      };
      const body = prepareWrite(this.deps.prep, requester, op, ctx, zxid);
      slot.span?.addEvent("prepped");
      this.propose(requester.sessionId, xid, body, zxid, { requester, slot, onApplied: undefined });
      return undefined;
    } catch (error) {
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
      this.applySessionEffects(entry.txn);
      const waiter = this.waiting.get(entry.zxid);
      if (waiter === undefined) continue;
      this.waiting.delete(entry.zxid);
      waiter.onApplied?.(outcome);
      if (waiter.slot) {
        waiter.slot.span?.addEvent("applied");
        waiter.slot.reply = outcomeReply(waiter.slot.request.xid, outcome);
        this.drain(waiter.requester);
      }
    }
    this.releaseBarriers();
    this.deps.afterApply?.(committed.length);
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

  private applySessionEffects(txn: Txn): void {
    applySessionTxn(txn, this.deps.sessions, this.deps.clock());
    if (txn.body?.$case === "closeSession") {
      this.deps.watches.removeSession(txn.sessionId);
      const requester = this.local.get(txn.sessionId);
      if (requester !== undefined) {
        this.local.delete(txn.sessionId);
        requester.closing = true;
        // A waiter with a slot is the session's own close request; anything else is expiry.
        if (this.waiting.get(Number(txn.zxid))?.slot === undefined) {
          // Closed by expiry, not by its own request: tell the client.
          requester.sink?.send({
            kind: {
              $case: "sessionEvent",
              value: {
                state: 3,
                error: { code: Code.SessionExpired, path: "", message: "session expired" },
              },
            },
          });
          requester.sink?.end();
          requester.sink = undefined;
        }
      }
    }
  }

  private releaseBarriers(): void {
    if (this.barrierWaiters.length === 0) return;
    const waiters = this.barrierWaiters.splice(0);
    for (const requester of waiters) this.drain(requester);
    for (const requester of waiters) {
      const head = requester.queue.find((s) => s.barrier > this.appliedZxid);
      if (head) this.barrierWaiters.push(requester);
    }
  }

  private expireSessions(): void {
    const now = this.deps.clock();
    const expired = this.deps.sessions.expire(now);
    if (expired.length === 0 && this.expiring.length === 0) return;
    const todo = this.expiring.concat(expired);
    this.expiring = [];
    for (const sessionId of todo) {
      const requester = this.local.get(sessionId) ?? new Requester(sessionId, [], undefined);
      requester.closing = true;
      try {
        this.proposeInternal(sessionId, (zxid) => this.deps.prep.closeSession(sessionId, zxid), requester);
        this.deps.log("info", `expiring session 0x${sessionId.toString(16)}`);
      } catch {
        this.expiring.push(sessionId);
      }
    }
  }

  /** ZooKeeper's ContainerManager: empty containers and expired TTL nodes go by transaction. */
  private checkContainers(): void {
    const { tree, prep, node } = this.deps;
    const internal = new Requester(0n, [], undefined);
    for (const path of tree.expiredContainersAndTtls(this.deps.clock())) {
      if (this.storageFailure || !node.canPropose()) return;
      const zxid = node.peekZxid();
      const body = prep.deleteContainer(path, zxid);
      if (body !== undefined)
        this.propose(0n, 0, body, zxid, { requester: internal, slot: undefined, onApplied: undefined });
    }
  }

  private onStorageFailed(error: Error): void {
    this.storageFailure = error;
    this.deps.storageFailed?.(error);
    this.deps.log("error", `storage failed, no longer accepting writes: ${error.message}`);
    // Nothing proposed after the failure can be acknowledged: fail the waiting requests.
    for (const [zxid, waiter] of this.waiting) {
      if (waiter.slot) {
        waiter.slot.reply = errorReply(
          waiter.slot.request.xid,
          this.appliedZxid,
          new PaddockError(
            Code.SystemError,
            opPath(waiter.slot.request.op!),
            `write ${zxid} not durable: ${error.message}`,
          ),
        );
        this.drain(waiter.requester);
      }
    }
    this.waiting.clear();
  }
}
