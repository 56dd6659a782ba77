// FuzzTarget: what the engine needs to know about one decoder under fuzz.

/**
 * One decoder (or a decoder and the validation after it) under fuzz. `fuzz` takes any bytes and
 * returns, or throws only what the decoder documents (JuteDecodeError, StorageCorruptionError,
 * PaddockError, ...), caught inside `fuzz`: anything that escapes it is a finding. It must
 * not hang: the engine reports an execution slower than its slowMs as a finding too.
 */
export interface FuzzTarget {
  readonly name: string;
  /** Valid inputs made by the real encoders and writers: where mutation starts. */
  seeds(): Buffer[];
  fuzz(bytes: Buffer): void;
  /** Tokens the mutator may insert (config keys, magic numbers). */
  readonly dictionary?: readonly Buffer[];
  /** Inputs longer than this are cut by the mutator (default 4096). */
  readonly inputBytesMax?: number;
}

export type FindingKind = "crash" | "slow";

export interface Finding {
  readonly target: string;
  readonly kind: FindingKind;
  readonly input: Buffer;
  /** The error's name and message, or how long the execution took. */
  readonly summary: string;
  readonly stack: string;
}

/** Runs one input and turns an escaped error or a slow execution into a finding. */
export function execute(target: FuzzTarget, input: Buffer, slowMs: number): Finding | undefined {
  const started = performance.now();
  try {
    target.fuzz(input);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return {
      target: target.name,
      kind: "crash",
      input,
      summary: `${error.name}: ${error.message}`,
      stack: error.stack ?? "",
    };
  }
  const ms = performance.now() - started;
  if (ms > slowMs) {
    return {
      target: target.name,
      kind: "slow",
      input,
      summary: `one execution took ${ms.toFixed(0)} ms (slowMs ${slowMs})`,
      stack: "",
    };
  }
  return undefined;
}
