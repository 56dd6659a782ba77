/**
 * Cluster-unique ids from sequential nodes: each id is the counter ZooKeeper appends to
 * `<path>/id-` (created persistent-sequential, then deleted, so nothing accumulates). The parent's
 * counter only grows, so ids are unique and increasing for the life of `<path>`.
 */
import type { Client } from "../client.js";
import { ensurePath, sequenceOf } from "./nodes.js";

export async function nextId(client: Client, path: string): Promise<number> {
  await ensurePath(client, path, "PERSISTENT");
  const created = await client.create(`${path}/id-`, undefined, { mode: "PERSISTENT_SEQUENTIAL" });
  await client.delete(created.path);
  return sequenceOf(created.path);
}
