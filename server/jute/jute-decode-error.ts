// JuteDecodeError: the one error type for malformed ZooKeeper wire input.

/** Where a request's header was readable, so the caller may answer MarshallingError (as ZooKeeper does for a bad body) instead of closing. */
export interface JuteHeaderSeen {
  readonly xid: number;
  readonly opcode: number;
}

/**
 * Thrown for any input the network sent that does not decode: a truncated record, a hostile length,
 * an unknown multi op type, a frame over the limit. The caller closes the connection (or, when
 * `header` is set, may answer MarshallingError as ZooKeeper does); never a crash.
 */
export class JuteDecodeError extends Error {
  override name = "JuteDecodeError";
  constructor(
    message: string,
    readonly header?: JuteHeaderSeen,
  ) {
    super(message);
  }
}
