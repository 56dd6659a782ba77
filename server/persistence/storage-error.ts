/**
 * Damage found on disk: which file, at which byte offset, and why. Recovery and the snapshot
 * reader throw it; the operator decides (restore from a peer, or restart with truncateAtDamage).
 */
export class StorageCorruptionError extends Error {
  override name = "StorageCorruptionError";
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file} damaged at offset ${offset}: ${reason}`);
  }
}

/** The transaction log refuses appends after a write or sync failure; this says why. */
export class TxnLogFailedError extends Error {
  override name = "TxnLogFailedError";
}
