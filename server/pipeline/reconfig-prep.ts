import type { ZabNode } from "../consensus/zab-node.js";
import type { ReconfigRequest } from "../gen/paddock/v1/data.js";
import type { Prep, PrepContext, TxnBody } from "../tree/prep.js";
import { nextMembers, type ReconfigState } from "./reconfig-members.js";

/** zoo.cfg's reconfig keys and how this member runs, read once at start. */
export interface ReconfigOptions {
  /** reconfigEnabled (default false, as ZooKeeper). */
  readonly enabled: boolean;
  /** ZooKeeper's standalone mode: no server lines, or one voter with standaloneEnabled=true. */
  readonly standalone: boolean;
  /** standaloneEnabled (default true). */
  readonly standaloneEnabled: boolean;
}

/** What prep of a reconfig reads, built once per member. */
export interface ReconfigSource {
  readonly options: ReconfigOptions;
  readonly node: ZabNode;
  readonly requestBytesMax: number;
}

/** The leader's view for nextMembers: the core's configurations and the learners in sync. */
function stateOf(source: ReconfigSource): ReconfigState {
  const node = source.node;
  const synced = new Set<number>();
  for (const l of node.learners()) if (l.synced) synced.add(l.id);
  return {
    ...source.options,
    active: node.activeConfig,
    pending: node.pendingConfig,
    leaderId: node.serverId,
    synced,
    requestBytesMax: source.requestBytesMax,
  };
}

/**
 * A reconfig request into its transaction on the leader, through the one propose path like every
 * write: the membership checks (reconfig-members.ts), then Prep's ACL check and outstanding
 * record of /zookeeper/config. Throws PaddockError, which buildWrite turns into an ErrorTxn.
 */
export function prepReconfig(
  prep: Prep,
  request: ReconfigRequest,
  ctx: PrepContext,
  zxid: number,
  source: ReconfigSource,
): TxnBody {
  const members = nextMembers(request, stateOf(source));
  return prep.reconfig(members, ctx, zxid);
}
