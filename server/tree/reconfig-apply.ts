import type { ConfigMember } from "../gen/paddock/internal/v1/txn.js";
import type { GetDataResponse } from "../gen/paddock/v1/data.js";
import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { configText } from "../util/server-line.js";
import { loadData, utf8 } from "./bytes.js";
import type { TreeStore, WatchTrigger } from "./tree-store.js";

export const CONFIG_PATH = "/zookeeper/config";

/**
 * The data version /zookeeper/config gets from a reconfig: -1, whatever it was, as ZooKeeper 3.8
 * writes it (its reconfig is a SetDataTxn with version -1; pinned in reconfig-differential.test.ts).
 */
export function reconfigVersion(_current: number): number {
  return -1;
}

/**
 * A committed reconfig, as the tree sees it: /zookeeper/config now holds the new configuration
 * (its lines, then `version=<hex zxid>`), changed as a setData changes a node (mzxid, mtime, a
 * NodeDataChanged trigger; the version as ZooKeeper's, reconfigVersion). Activating the configuration (roles, peers, the dynamic
 * config file) is the replica's, at the same commit. Returns the node's data and stat, the reply.
 */
export function applyReconfig(
  store: TreeStore,
  members: readonly ConfigMember[],
  zxid: number,
  time: number,
  triggers: WatchTrigger[],
): GetDataResponse {
  const node = store.get(CONFIG_PATH);
  assert(node !== undefined, `reconfig ${zxid}: ${CONFIG_PATH} is missing`);
  const version = reconfigVersion(store.toStat(node).version);
  const code = store.setData(CONFIG_PATH, utf8(configText(members, zxid)), version, zxid, time, triggers);
  assert(code === Code.OK, `reconfig ${zxid}: setting ${CONFIG_PATH} failed with ${code}`);
  const after = store.get(CONFIG_PATH)!;
  return { data: loadData(after.data), stat: store.toStat(after) };
}
