import type { SetWatches } from "../gen/paddock/v1/session.js";
import type { DataTree } from "../tree/data-tree.js";
import type { WatchEventOut, WatchRegistry } from "../watches/watch-registry.js";
import type { ReplySink } from "./requester.js";

/**
 * ZooKeeper's SetWatches: re-registers a session's watches; the ones whose change the client
 * missed (newer than relativeZxid, or the node is gone or came) fire now, on the sink, ahead of
 * anything sent after. Throws PaddockError past watchesPerSessionMax, changing nothing.
 */
export function setWatches(
  tree: DataTree,
  watches: WatchRegistry,
  sessionId: bigint,
  sw: SetWatches,
  sink: ReplySink | undefined,
): void {
  const events: WatchEventOut[] = [];
  watches.setWatches(
    sessionId,
    {
      relativeZxid: Number(sw.relativeZxid),
      data: sw.dataWatches,
      exist: sw.existWatches,
      child: sw.childWatches,
      persistent: sw.persistentWatches,
      persistentRecursive: sw.persistentRecursiveWatches,
    },
    (path) => {
      const stat = tree.statOf(path);
      return stat && { czxid: Number(stat.czxid), mzxid: Number(stat.mzxid), pzxid: Number(stat.pzxid) };
    },
    events,
  );
  for (const e of events) {
    sink?.send({ kind: { $case: "event", value: { type: e.type, path: e.path, zxid: BigInt(e.zxid) } } });
  }
}
