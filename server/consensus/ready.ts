import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { MemberConfig } from "./member-config.js";
import type { ZabMessage } from "./messages.js";

/** One log entry: a transaction and its zxid (the same number as txn.zxid, kept as a number). */
export interface Entry {
  readonly zxid: number;
  readonly txn: Txn;
}

/**
 * Committed entries older than the core's in-memory log, kept by the driver in a compact form, so
 * a learner further behind than the in-memory log can still get DIFF instead of SNAP (ZooKeeper
 * reads its txnlog for this). It must hold only this member's own history: the driver clears it
 * when a snapshot replaces the state and cuts it on truncation.
 */
export interface EntryHistory {
  /** True if this history holds an entry with `zxid`, or starts just after it. */
  has(zxid: number): boolean;
  /** Every entry above `after` up to `upTo` inclusive, in order; undefined if any is missing. */
  between(after: number, upTo: number): Entry[] | undefined;
}

export type Role = "leading" | "following" | "observing" | "looking";

/** A message to one peer. The transport (replica/) serialises it; the core never does I/O. */
export interface Outbound {
  readonly to: number;
  readonly message: ZabMessage;
}

/** The epochs that must survive a restart (ZooKeeper's acceptedEpoch and currentEpoch files). */
export interface HardState {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
}

/**
 * What the core asks its driver to do. Contract, in this order: install `snapshotZxid` (the state
 * that came with the SNAP message, replacing log and tree), truncate the log to `truncateTo`, persist
 * `hardState` durably, then send `messages`, then apply `committed` in order, then call
 * `advance(ready)`; start making `entries` durable (appending after every earlier Ready's entries)
 * and call `persisted(ready)` once they are, in Ready order. The core sends acks and counts its own
 * only after persisted(), so nothing is acknowledged before it is durable, while the driver may
 * cut the next Ready during the fsync. Committed entries are always already persisted here.
 */
export interface Ready {
  readonly entries: readonly Entry[];
  readonly messages: readonly Outbound[];
  readonly committed: readonly Entry[];
  readonly role: Role;
  readonly epoch: number;
  readonly hardState?: HardState;
  readonly truncateTo?: number;
  readonly snapshotZxid?: number;
  /**
   * The configurations changed (a reconfig entered the log, committed, or was cut): the driver
   * records the active one durably (the dynamic config file) and reaches every member of both.
   */
  readonly config?: { readonly active: MemberConfig; readonly pending: readonly MemberConfig[] };
}
