import { interval, Subject, type Subscription } from "rxjs";
import type { Entry } from "../consensus/ready.js";
import type { ReplicaView } from "../replica/replica.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { type AdminView, adminView } from "./admin-view.js";
import { applyInOrder } from "./apply-committed.js";
import { ChangeHistory } from "./change-history.js";
import { SortedChildren } from "./children-page.js";
import type { Counters, PipelineContext, PipelineDeps, PipelineOptions } from "./context.js";
import { Forwarder, firstHandle } from "./forwarder.js";
import { ClientFront, type ConnectionRules } from "./front.js";
import { type Batch, intake } from "./intake.js";
import { LocalSessionTracker } from "./local-session-tracker.js";
import { LocalSessions } from "./local-sessions.js";
import type { MemberState } from "./member-state.js";
import { opPath } from "./op-kinds.js";
import { onPeerMessage } from "./peer-messages.js";
import { ProposalTracing } from "./proposal-tracing.js";
import { Proposer } from "./proposer.js";
import { RequestStats } from "./request-stats.js";
import { expireLocalSessions } from "./session-effects.js";
import { SessionOwners } from "./session-owners.js";
import { failWaiter } from "./session-queue.js";
import { SessionUpkeep } from "./upkeep.js";
import { WatchStreams } from "./watch-streams.js";

export type { PipelineDeps, PipelineOptions } from "./context.js";

/**
 * The request-processor chain, assembled here and read top to bottom:
 *
 *   door → front (connection rules, sessions) → intake$
 *     → intake, request by request:
 *         admit            refusals answered at once, auth applied on arrival, a slot per request
 *         prepAndPropose   writes and barriers: prepped and proposed on the leader, forwarded elsewhere
 *         enqueue          each session's FIFO queue; answered slots and reads at the head leave
 *   [replica/: the Ready loop persists, replicates and commits] → committed$
 *     → applyInOrder     tree and sessions in zxid order, watch events before replies, replies
 *
 * Each operator takes a whole batch (one connection's requests of one turn, or one Ready's
 * committed transactions) and loops over it plainly: RxJS costs per batch, not per request. The
 * intake stages run request by request inside the batch, so a read answered at its queue's head
 * stops counting against the outstanding limits before the next request is admitted.
 * Session upkeep (expiry, touches, containers) runs on the injected scheduler.
 */
export class Pipeline {
  private readonly intake$ = new Subject<Batch>();
  private readonly committed$ = new Subject<readonly Entry[]>();
  private readonly subscriptions: Subscription[] = [];
  private readonly ctx: PipelineContext;
  private readonly member: MemberState = { leading: false, serving: false, storageFailure: undefined };
  /** The one way in for the doors. */
  readonly front: ClientFront;
  /** What the admin commands may read. */
  readonly view: AdminView;

  constructor(deps: PipelineDeps, options: PipelineOptions, rules: ConnectionRules) {
    const counters: Counters = {
      received: 0,
      sent: 0,
      outstanding: 0,
      appliedZxid: deps.tree.lastZxid,
      requests: new RequestStats(),
    };
    const replica = deps.replica;
    const proposer = new Proposer(
      replica.node,
      this.member,
      () => replica.kick(),
      deps.clock,
      options.proposalsInFlightMax,
      deps.sessions,
    );
    const local = new LocalSessions();
    const localSessions =
      options.localSessions === undefined
        ? undefined
        : new LocalSessionTracker(options.localSessions, options.tickMs, options.limits.sessionsMax);
    const tracing = deps.tracer === undefined ? undefined : new ProposalTracing(deps.tracer);
    if (tracing !== undefined) replica.observe(tracing);
    const upkeep = new SessionUpkeep({
      member: this.member,
      sessions: deps.sessions,
      tree: deps.tree,
      prep: deps.prep,
      replica,
      proposer,
      local,
      localSessions,
      clock: deps.clock,
      log: deps.log,
      sessionsMax: options.limits.sessionsMax,
      tracer: deps.tracer,
      tracing,
    });
    // Handles start at a random point on each start of the member, so that a transaction or a
    // refusal for a request this member forwarded before it restarted does not name one of its
    // new requests (takeCommitted also checks a committed transaction's session and xid).
    const forwarder = new Forwarder(replica, options.proposalsInFlightMax, firstHandle(deps.randomBytes(4)));
    const reads = {
      tree: deps.tree,
      watches: deps.watches,
      limits: options.limits,
      zookeeperConfig: options.zookeeperConfig,
      sortedChildren: new SortedChildren(),
    };
    // Every member keeps its own (4 MiB of changes and 1 MiB per stream unless zoo.cfg says).
    const changes = new ChangeHistory(options.watchHistoryBytes ?? 4 * 1024 * 1024, deps.tree.lastZxid);
    const watchStreams = new WatchStreams(changes, deps.tree, {
      bufferBytesMax: options.watchStreamBufferBytes ?? 1024 * 1024,
      messageBytesMax: options.limits.requestBytesMax,
      clock: deps.monotonicMs ?? deps.clock,
      scheduler: deps.scheduler,
    });
    const reconfig = {
      options: options.reconfig ?? { enabled: false, standalone: true, standaloneEnabled: true },
      node: replica.node,
      requestBytesMax: options.limits.requestBytesMax,
    };
    const ctx: PipelineContext = {
      reconfig,
      changes,
      watchStreams,
      tracing,
      reads,
      deps,
      options,
      member: this.member,
      counters,
      proposer,
      forwarder,
      local,
      localSessions,
      submit: (requester, requests) => this.intake$.next({ requester, requests }),
      upkeep,
      owners: new SessionOwners(),
    };
    this.ctx = ctx;
    this.front = new ClientFront(ctx, rules, (batch) => this.intake$.next(batch));
    this.view = adminView(ctx);

    this.subscriptions.push(
      this.intake$.pipe(intake(ctx)).subscribe(),
      this.committed$.pipe(applyInOrder(ctx)).subscribe(() => this.releaseHeldView()),
      ...upkeep.start(deps.scheduler, options.tickMs, options.containerCheckMs),
    );
    // Every member expires its own local sessions, leading or not (ZooKeeper's LocalSessionTracker).
    if (localSessions !== undefined) {
      const halfTick = Math.max(1, Math.floor(options.tickMs / 2));
      this.subscriptions.push(interval(halfTick, deps.scheduler).subscribe(() => expireLocalSessions(ctx)));
    }
    replica.attach({
      apply: (committed) => this.committed$.next(committed),
      storageFailed: (error) => this.onStorageFailed(error),
      viewChanged: (view) => this.onViewChanged(view),
      peerMessage: (from, message) => onPeerMessage(ctx, from, message),
    });
    this.onViewChanged(replica.view);
  }

  /** A leading view reported before the history committed at that moment was applied. */
  private heldView: { view: ReplicaView; upTo: number } | undefined;

  get zxid(): number {
    return this.ctx.counters.appliedZxid;
  }

  get isServing(): boolean {
    return this.member.serving;
  }

  /** Stops the chain and the replica, and ends every client connection. */
  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.ctx.deps.replica.stop();
    this.ctx.watchStreams.stopAll("the member is shutting down");
    this.intake$.complete();
    this.committed$.complete();
    this.ctx.local.endAll(false);
  }

  /** SNAP replaced the applied state (tree and sessions) with the leader's at zxid. */
  stateReplaced(zxid: number): void {
    this.ctx.counters.appliedZxid = zxid;
    this.ctx.deps.prep.reset();
    this.ctx.changes.reset(zxid);
    this.ctx.watchStreams.replaced();
  }

  /**
   * The member's role, leader or serving changed. Requests in flight may or may not commit under
   * the next leader, so their clients get ConnectionLoss and every client connection ends: clients
   * reconnect (here or elsewhere), resume their sessions and re-register their watches, as with
   * ZooKeeper when a server stops following its leader.
   */
  private onViewChanged(reported: ReplicaView): void {
    const { member, ctx } = this;
    // A new leader serves only once it has applied what its core had committed when it took over:
    // prepped against an older tree, a write would get a version the node already had, or an
    // ephemeral of a session whose close is committed (found by the real-pipeline simulator).
    this.heldView = undefined;
    let view = reported;
    const upTo = ctx.deps.replica.node.commitZxid;
    if (view.serving && view.role === "leading" && ctx.counters.appliedZxid < upTo) {
      this.heldView = { view, upTo };
      view = { ...view, serving: false };
    }
    const wasLeading = member.leading;
    const wasServing = member.serving;
    member.leading = view.serving && view.role === "leading";
    member.serving = view.serving;
    if (wasServing || wasLeading) this.dropClients(`leader changed (now ${view.role}, epoch ${view.epoch})`);
    // Committed history never changes, so streams outlive a new leader; not serving, they would stall.
    if (wasServing && !member.serving)
      ctx.watchStreams.stopAll(`the member stopped serving (now ${view.role})`);
    if (!member.leading) {
      ctx.deps.prep.reset();
      // Session owners are the leader's soft state: a later term learns them again.
      ctx.owners.clear();
    }
    ctx.tracing?.reset(`now ${view.role}, epoch ${view.epoch}`);
    // When leading starts and when it ends: the sessions this member marked closing (a close or
    // expiry it proposed) are open again, as that proposal may never commit (if it does, applying
    // it removes the session). Kept after leading ended, the mark made this member refuse to
    // resume a live session: its client was told it expired (real-pipeline simulator, seed 372).
    if (member.leading !== wasLeading) ctx.upkeep.restartSessionTimeouts();
    ctx.deps.log(
      "info",
      `member ${ctx.deps.replica.node.serverId}: ${view.role}, epoch ${view.epoch}, leader ${view.leaderId}${view.serving ? ", serving" : ""}`,
    );
    if (wasServing !== member.serving) ctx.deps.servingChanged?.(member.serving);
  }

  /** After each applied batch: a leading view held back until its history is applied goes out. */
  private releaseHeldView(): void {
    const held = this.heldView;
    if (held !== undefined && this.ctx.counters.appliedZxid >= held.upTo) this.onViewChanged(held.view);
  }

  private dropClients(reason: string): void {
    const ctx = this.ctx;
    const error = new PaddockError(Code.ConnectionLoss, "", `request outcome unknown: ${reason}`);
    const waiters = [...ctx.proposer.takeAll().map(([, waiter]) => waiter), ...ctx.forwarder.takeAll()];
    for (const waiter of waiters) failWaiter(ctx, waiter, error);
    ctx.local.endAll(true);
    // Local sessions end with the member's role, as in ZooKeeper, whose member starts a fresh
    // server (an empty local session tracker) each time it leads or follows anew.
    for (const id of ctx.localSessions?.removeAll() ?? []) ctx.deps.watches.removeSession(id);
  }

  private onStorageFailed(error: Error): void {
    const ctx = this.ctx;
    this.member.storageFailure = error;
    ctx.deps.storageFailed?.(error);
    ctx.deps.log("error", `storage failed, no longer accepting writes: ${error.message}`);
    // Nothing proposed after the failure can be acknowledged: fail the waiting requests.
    for (const [zxid, waiter] of ctx.proposer.takeAll()) {
      const path = waiter.slot ? opPath(waiter.slot.request.op!) : "";
      failWaiter(
        ctx,
        waiter,
        new PaddockError(Code.SystemError, path, `write ${zxid} not durable: ${error.message}`),
      );
    }
  }
}
