// ZooKeeper's four-letter words on the client port: recognised by the first four bytes.

/** The words ZooKeeper knows; any other first four bytes are a frame length. */
export const fourLetterWords: readonly string[] = [
  "conf",
  "cons",
  "crst",
  "dump",
  "envi",
  "gtmk",
  "ruok",
  "stmk",
  "srst",
  "srvr",
  "stat",
  "wchc",
  "wchp",
  "wchs",
  "mntr",
  "isro",
  "hash",
  "dirs",
];

/** The word if the connection's first four bytes are one ZooKeeper knows. */
export function fourLetterWordOf(first: Buffer): string | undefined {
  if (first.length < 4) return undefined;
  const word = first.toString("latin1", 0, 4);
  return fourLetterWords.includes(word) ? word : undefined;
}

/**
 * `4lw.commands.whitelist` as ZooKeeper reads it: a comma-separated list, `*` for every word;
 * ZooKeeper's default is `srvr` alone.
 */
export function parseWhitelist(value: string): ReadonlySet<string> {
  const words = value
    .split(",")
    .map((w) => w.trim())
    .filter((w) => w !== "");
  return new Set(words.includes("*") ? fourLetterWords : words.filter((w) => fourLetterWords.includes(w)));
}

/** The answer to a word: the command's output, or ZooKeeper's refusal for a word not whitelisted. */
export function answerFourLetterWord(
  word: string,
  whitelist: ReadonlySet<string>,
  run: (word: string) => string | undefined,
): string {
  if (!whitelist.has(word)) return `${word} is not executed because it is not in the whitelist.\n`;
  return run(word) ?? `${word} is not available on this server.\n`;
}
