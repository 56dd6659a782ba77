/**
 * Splitting a command line and its options as zkCli does: tokens are runs of non-blanks or
 * "double"/'single' quoted strings (quotes dropped); options are POSIX letters anywhere on the
 * line, those taking a value consume the next token, and unknown letters are errors worded as
 * commons-cli words them (zkCli prints the exception as is).
 */

export function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /\s*([^"'\s]\S*|"[^"]*"|'[^']*')\s*/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const token = m[1];
    if (token === undefined) break;
    const q = token[0];
    out.push((q === '"' || q === "'") && token.length >= 2 ? token.slice(1, -1) : token);
  }
  return out;
}

export interface OptionSpec {
  /** Letters of boolean flags. */
  flags?: string;
  /** Letters of options taking a value. */
  values?: string;
  /** Whole-word options taking a value (reconfig's -add, -remove, -members, -file), as commons-cli matches them. */
  words?: readonly string[];
}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  /** The command name first, then the positional arguments. */
  args: string[];
}

export class CliParseError extends Error {}

export function parseOptions(tokens: readonly string[], spec: OptionSpec): ParsedArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const args: string[] = [];
  const flagLetters = spec.flags ?? "";
  const valueLetters = spec.values ?? "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? "";
    if (i === 0 || t.length < 2 || t[0] !== "-") {
      args.push(t);
      continue;
    }
    if (spec.words?.includes(t.slice(1))) {
      const value = tokens[++i];
      if (value === undefined) {
        throw new CliParseError(
          `org.apache.commons.cli.MissingArgumentException: Missing argument for option: ${t.slice(1)}`,
        );
      }
      values.set(t.slice(1), value);
      continue;
    }
    // "-sw" bundles flags; "-v3" or "-v 3" gives a value.
    for (let j = 1; j < t.length; j++) {
      const c = t[j] ?? "";
      if (valueLetters.includes(c)) {
        const rest = t.slice(j + 1);
        const value = rest.length > 0 ? rest : tokens[++i];
        if (value === undefined) {
          throw new CliParseError(
            `org.apache.commons.cli.MissingArgumentException: Missing argument for option: ${c}`,
          );
        }
        values.set(c, value);
        break;
      }
      if (!flagLetters.includes(c)) {
        throw new CliParseError(
          `org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: ${t}`,
        );
      }
      flags.add(c);
    }
  }
  return { flags, values, args };
}
