import type { ReconfigRequest } from "../gen/paddock/v1/data.js";
import type { Stat } from "./types.js";

/** /zookeeper/config: the configuration's text and the node's stat. */
export type ConfigData = { data: Uint8Array; stat: Stat };

/**
 * A change of the ensemble's members (ZooKeeperAdmin.reconfigure): incremental (`joining`,
 * `leaving`) or bulk (`newMembers`), conditional on the configuration's version when `fromConfig`
 * is given (the hex `version=` of /zookeeper/config, as a number or bigint; -1 for any).
 */
export interface ReconfigChange {
  /** `server.N=host:quorumPort:electionPort[:participant|:observer];[clientHost:]clientPort` lines. */
  joining?: string | readonly string[];
  /** Server ids to remove. */
  leaving?: string | readonly (string | number)[];
  /** Every member of the new configuration (server lines). */
  newMembers?: string | readonly string[];
  fromConfig?: number | bigint;
}

const list = (v: string | readonly (string | number)[] | undefined): string =>
  v === undefined ? "" : typeof v === "string" ? v : v.join(",");

/** The wire request, with its size for the session's byte budget. */
export function reconfigRequest(change: ReconfigChange): { value: ReconfigRequest; bytes: number } {
  const value: ReconfigRequest = {
    joiningServers: list(change.joining),
    leavingServers: list(change.leaving),
    newMembers: list(change.newMembers),
  };
  if (change.fromConfig !== undefined) value.curConfigId = BigInt(change.fromConfig);
  const bytes = value.joiningServers.length + value.leavingServers.length + value.newMembers.length;
  return { value, bytes: bytes + 32 };
}
