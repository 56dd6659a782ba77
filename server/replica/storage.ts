import type { Entry } from "../consensus/ready.js";

/**
 * Where the Ready loop makes entries durable. `append` resolves once every entry is durable; the
 * loop awaits it before sending or applying anything of that Ready.
 */
export interface Storage {
  append(entries: readonly Entry[]): Promise<void> | undefined;
  /** Set once storage failed: the member stops accepting writes. */
  readonly failure: Error | undefined;
  close(): Promise<void>;
}
