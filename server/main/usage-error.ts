/**
 * A command line the command cannot run with (unknown flag, missing or bad value). `paddock`
 * prints its message on one line and exits 2, without a stack trace: the operator needs the
 * argument, not the code path.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The flags a tool takes: booleans by name, and the single value-taking flags. */
export interface FlagSpec {
  readonly booleans: readonly string[];
  readonly values?: readonly string[];
}

/** Splits `args` into flags and positionals; an unknown `-x` is a UsageError. */
export function parseFlags(
  args: readonly string[],
  spec: FlagSpec,
): { flags: Map<string, string | true>; positionals: string[] } {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (spec.booleans.includes(arg)) flags.set(arg, true);
    else if (spec.values?.includes(arg)) {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      flags.set(arg, value);
    } else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
    else positionals.push(arg);
  }
  return { flags, positionals };
}
