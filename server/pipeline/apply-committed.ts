import { map, type OperatorFunction } from "rxjs";
import type { Entry } from "../consensus/ready.js";
import type { ACL } from "../gen/paddock/v1/data.js";
import { Perms } from "../tree/acl-check.js";
import type { WatchEventOut } from "../watches/watch-registry.js";
import type { PipelineContext } from "./context.js";
import type { Waiter } from "./forwarder.js";
import { nodesBefore } from "./prev-nodes.js";
import { outcomeReply } from "./replies.js";
import { applySessionEffects } from "./session-effects.js";
import { drain } from "./session-queue.js";

/**
 * Apply, in zxid order, in a plain loop per batch: each committed transaction changes the tree and
 * the session table, its watch events go into the watchers' connections, and only then is its
 * client answered; so a client sees the event before any reply that shows the new data, since each
 * connection has one outgoing queue.
 */
export function applyInOrder(ctx: PipelineContext): OperatorFunction<readonly Entry[], void> {
  const events: WatchEventOut[] = [];
  return map((committed): void => {
    const { tree, prep, watches } = ctx.deps;
    const tracing = ctx.tracing;
    for (const entry of committed) {
      const span = tracing?.applying(entry.zxid);
      // Before the tree changes: the watch history's previous nodes (with_prev_data).
      const before = nodesBefore(entry.txn, tree);
      const outcome = tree.apply(entry.txn);
      ctx.counters.appliedZxid = entry.zxid;
      ctx.changes.record(entry.zxid, outcome, tree, before);
      prep.committed(entry.zxid);
      for (const trigger of outcome.triggers) {
        watches.trigger(trigger.path, trigger.type, entry.zxid, events);
        if (events.length > 0) deliverEvents(ctx, events, trigger.acl);
      }
      const waiter = takeWaiter(ctx, entry);
      applySessionEffects(ctx, entry.txn, waiter?.slot !== undefined && !waiter.barrier);
      span?.end();
      if (waiter === undefined) continue;
      waiter.onApplied?.(outcome);
      const slot = waiter.slot;
      if (slot === undefined) continue;
      slot.span?.addEvent("applied");
      if (waiter.barrier) slot.barrier = 0;
      else slot.reply = outcomeReply(slot.request.xid, outcome);
      drain(ctx, waiter.requester);
    }
    ctx.watchStreams.applied();
    ctx.deps.afterApply?.(committed.length);
  });
}

/** The waiter of a transaction proposed for one of this member's clients. */
function takeWaiter(ctx: PipelineContext, entry: Entry): Waiter | undefined {
  const txn = entry.txn;
  if (txn.origin !== 0) {
    if (txn.origin !== ctx.deps.replica.node.serverId) return undefined;
    return ctx.forwarder.takeCommitted(txn.originRef, txn.sessionId, txn.cxid);
  }
  return ctx.proposer.take(entry.zxid);
}

/**
 * Sends each event to its session's connection if the session may READ the node (acl, as the event
 * fired) with the identities it holds now: ZooKeeper's fix of CVE-2024-23944 (3.8.4, 3.9.2), which
 * filters in ServerCnxn.process. A one-time watch whose event is filtered is spent all the same.
 */
function deliverEvents(ctx: PipelineContext, events: WatchEventOut[], acl: readonly ACL[]): void {
  const tree = ctx.deps.tree;
  for (const event of events) {
    const requester = ctx.local.get(event.sessionId);
    if (requester?.sink === undefined || !tree.allows(acl, Perms.READ, requester.ids)) continue;
    requester.sink.send({
      kind: { $case: "event", value: { type: event.type, path: event.path, zxid: BigInt(event.zxid) } },
    });
  }
  events.length = 0;
}
