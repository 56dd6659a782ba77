/** What a generated encoder returns: its writer, whose finish() gives the bytes and resets it. */
interface Writer {
  finish(): Uint8Array;
}

/**
 * An encoder for one hot call site that reuses one writer across calls: the writer's buffer stays
 * grown, so each call allocates only its result (a fresh writer grows from a few bytes, copying,
 * for every message). A writer an encode threw in is dropped.
 */
export function reusedWriterEncoder<T, W extends Writer>(
  encode: (message: T, writer?: W) => W,
): (message: T) => Uint8Array {
  let shared: W | undefined;
  return (message) => {
    const writer = shared;
    shared = undefined;
    const used = writer === undefined ? encode(message) : encode(message, writer);
    const bytes = used.finish();
    shared = used;
    return bytes;
  };
}
