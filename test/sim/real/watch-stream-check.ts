import { isNullData } from "../../../server/tree/bytes.js";
import type { DataTree } from "../../../server/tree/data-tree.js";
import { EventType } from "../../../server/util/event-type.js";
import { MemberState } from "../member-state.js";
import { type ChainCheck, hex } from "./chain-check.js";
import type { Acked } from "./sim-clients.js";
import { changeText, type Lineage } from "./sim-watchers.js";

export interface WatchCheckStats {
  watchLineages: number;
  watchBatchesChecked: number;
  watchMultiBatches: number;
  watchAckedChecked: number;
}

/** What a recursive "/" stream must show for one committed transaction, with and without children events. */
interface Expected {
  readonly all: readonly string[];
  readonly nodes: readonly string[];
  readonly multi: boolean;
}

/**
 * The final check of the watch streams against the committed chain (the one every member agreed
 * on, chain-check.ts): the chain is replayed from the members' initial state on a fresh tree, and
 * each transaction's watch triggers, with each node's data and stat after it, are what a stream
 * must show for it. Every lineage (one client's stream across its reopenings, sim-watchers.ts)
 * must hold exactly the transactions committed after its start up to its position, each once, in
 * zxid order, each with all its changes in one batch (a multi's together), each as committed;
 * every acknowledged write in that range among them. Returns the first problem found.
 */
export function checkWatchStreams(
  lineages: readonly Lineage[],
  chain: ChainCheck,
  acked: readonly Acked[],
  stats: WatchCheckStats,
): string | undefined {
  const state = new MemberState();
  const zxids = chain.follow(state.tree.lastZxid);
  const expected = new Map<number, Expected>();
  for (const zxid of zxids) {
    const txn = chain.txns.get(zxid)!;
    const outcome = state.apply({ zxid, txn });
    if (outcome.triggers.length === 0) continue;
    const all = outcome.triggers.map((t) => expectedText(state.tree, t.type, t.path));
    const nodes = all.filter((_, i) => outcome.triggers[i]!.type !== EventType.NodeChildrenChanged);
    expected.set(zxid, { all, nodes, multi: txn.body?.$case === "multi" });
  }
  const ackedAt = new Map(acked.map((a) => [a.zxid, a]));
  const last = zxids[zxids.length - 1] ?? state.tree.lastZxid;
  for (const lineage of lineages) {
    const first = lineage.delivered[0];
    let start = lineage.start;
    // A stream from now whose first message was a change starts right before that change.
    if (lineage.startBeforeFirst && first !== undefined) {
      const i = zxids.indexOf(first.zxid);
      start = i > 0 ? zxids[i - 1] : state.tree.lastZxid;
    }
    if (start === undefined || lineage.position === undefined) continue;
    stats.watchLineages++;
    const end = lineage.position;
    const where = () =>
      `${lineage.name} (from ${hex(start)} to ${hex(end)}; ${lineage.log.slice(-8).join("; ")})`;
    if (end > last)
      return `${where()} claims changes up to ${hex(end)}, past the last committed ${hex(last)}`;
    const want = zxids.filter((z) => z > start && z <= end && visible(expected.get(z), lineage).length > 0);
    const got = lineage.delivered;
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      const w = want[i];
      const g = got[i];
      if (g !== undefined && expected.get(g.zxid) === undefined && !zxids.includes(g.zxid))
        return `${where()} delivered ${hex(g.zxid)}, which never committed`;
      if (w === undefined || g === undefined || w !== g.zxid) {
        const missing = w !== undefined && (g === undefined || g.zxid > w) ? w : undefined;
        const a = missing === undefined ? undefined : ackedAt.get(missing);
        if (missing !== undefined)
          return `${where()} misses ${a === undefined ? "committed" : `acknowledged ${a.what} at`} ${hex(missing)} (delivered next: ${g === undefined ? "nothing" : hex(g.zxid)})`;
        return `${where()} delivered ${hex(g!.zxid)}, which is outside its range or repeated`;
      }
      const e = visible(expected.get(w), lineage);
      if (e.join("\n") !== g.changes.join("\n"))
        return `${where()} at ${hex(w)}: ${expected.get(w)!.multi ? "the multi's " : ""}${e.length} changes came as ${g.changes.length}:\n  expected ${e.join(" | ")}\n  got      ${g.changes.join(" | ")}`;
      stats.watchBatchesChecked++;
      if (expected.get(w)!.multi) stats.watchMultiBatches++;
      if (ackedAt.has(w)) stats.watchAckedChecked++;
    }
  }
  return undefined;
}

function visible(e: Expected | undefined, lineage: Lineage): readonly string[] {
  if (e === undefined) return [];
  return lineage.childrenEvents ? e.all : e.nodes;
}

/** The change as a stream with data shows it: created and data-changed carry the node after the transaction. */
function expectedText(tree: DataTree, type: number, path: string): string {
  const withNode = type === EventType.NodeCreated || type === EventType.NodeDataChanged;
  const stat = withNode ? tree.statOf(path) : undefined;
  if (stat === undefined) return changeText({ type, path, data: EMPTY, prevData: EMPTY });
  const stored = tree.store.get(path)!.data;
  const { data } = tree.getData(path, []);
  return changeText({
    type,
    path,
    data: Buffer.from(data),
    prevData: EMPTY,
    stat,
    dataNull: isNullData(stored) || undefined,
  });
}

const EMPTY = Buffer.alloc(0);
