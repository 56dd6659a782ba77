import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { DataTree } from "../tree/data-tree.js";
import { CONFIG_PATH } from "../tree/reconfig-apply.js";
import { copyNode, type NodeCopy } from "./change-history.js";

/**
 * The nodes a committed transaction may change or delete, read from the tree just before it
 * applies: the watch stream's with_prev_data (previous data and stat on data-changed and deleted
 * events). Only transactions that can fire those events look anything up, and a multi keeps each
 * node's first sight, so a node it changes twice shows its state before the whole multi. The
 * copies share the tree's stored data (never changed in place), so nothing is copied but numbers.
 */
export function nodesBefore(txn: Txn, tree: DataTree): Map<string, NodeCopy> | undefined {
  const body = txn.body;
  if (body === undefined) return undefined;
  switch (body.$case) {
    case "setData":
    case "delete":
    case "deleteContainer":
      return capture(tree, body.value.path, undefined);
    case "reconfig":
      return capture(tree, CONFIG_PATH, undefined);
    case "closeSession": {
      let out: Map<string, NodeCopy> | undefined;
      for (const path of tree.store.ephemerals.get(txn.sessionId)?.paths ?? [])
        out = capture(tree, path, out);
      return out;
    }
    case "multi": {
      let out: Map<string, NodeCopy> | undefined;
      for (const sub of body.value.txns) {
        const b = sub.body;
        if (b?.$case === "setData" || b?.$case === "delete") out = capture(tree, b.value.path, out);
      }
      return out;
    }
    default:
      return undefined;
  }
}

function capture(
  tree: DataTree,
  path: string,
  into: Map<string, NodeCopy> | undefined,
): Map<string, NodeCopy> | undefined {
  if (into?.has(path)) return into;
  const node = copyNode(tree, path);
  if (node === undefined) return into;
  const out = into ?? new Map<string, NodeCopy>();
  out.set(path, node);
  return out;
}
