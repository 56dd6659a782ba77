import type { Entry, HardState } from "../consensus/ready.js";

/**
 * Where the Ready loop makes entries durable. `append` resolves once every entry is durable (or
 * returns undefined when they already are); appends complete in call order.
 */
export interface Storage {
  append(entries: readonly Entry[]): Promise<void> | undefined;
  /** ZAB's TRUNC: drops every record above zxid; appends issued after the call wait for it. */
  truncate(zxid: number): Promise<void>;
  /** A snapshot at zxid replaced the state (SNAP): records before it are no longer this history. */
  snapshotInstalled(zxid: number): void;
  /** acceptedEpoch and currentEpoch, durable before the Ready's messages leave. */
  saveHardState(state: HardState): Promise<void>;
  /** Set once storage failed: the member stops accepting writes. */
  readonly failure: Error | undefined;
  close(): Promise<void>;
}
