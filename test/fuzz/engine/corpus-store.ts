// The corpus on disk: test/fuzz/corpus/<target>/<sha256 prefix>, findings in test/fuzz/crashes/.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Finding } from "./fuzz-target.js";

export const FUZZ_DIR = resolve(import.meta.dirname, "..");
export const CORPUS_DIR = join(FUZZ_DIR, "corpus");
export const CRASHES_DIR = join(FUZZ_DIR, "crashes");
/** Entries kept per target: the corpus is committed and replayed by every `npm test`. */
export const CORPUS_ENTRIES_MAX = 64;
/** Inputs longer than this are not saved (minimised entries are far shorter). */
export const CORPUS_ENTRY_BYTES_MAX = 4096;

export function inputName(input: Buffer): string {
  return createHash("sha256").update(input).digest("hex").slice(0, 16);
}

/** A target's saved inputs, in name order (deterministic replay); none if the folder is missing. */
export function loadCorpus(target: string, dir = CORPUS_DIR): Buffer[] {
  const folder = join(dir, target);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .sort()
    .map((name) => readFileSync(join(folder, name)));
}

/** Saves an input unless the folder is full, the input too long, or already there; true if saved. */
export function saveCorpusEntry(target: string, input: Buffer, dir = CORPUS_DIR): boolean {
  if (input.length > CORPUS_ENTRY_BYTES_MAX) return false;
  const folder = join(dir, target);
  mkdirSync(folder, { recursive: true });
  const names = readdirSync(folder).filter((name) => /^[0-9a-f]{16}$/.test(name));
  const name = inputName(input);
  if (names.includes(name) || names.length >= CORPUS_ENTRIES_MAX) return false;
  writeFileSync(join(folder, name), input);
  return true;
}

/** Replaces a target's saved inputs with `inputs` (already distilled and capped by the caller). */
export function replaceCorpus(target: string, inputs: readonly Buffer[], dir = CORPUS_DIR): void {
  const folder = join(dir, target);
  mkdirSync(folder, { recursive: true });
  const keep = new Set(inputs.map(inputName));
  for (const name of readdirSync(folder)) {
    if (/^[0-9a-f]{16}$/.test(name) && !keep.has(name)) rmSync(join(folder, name));
  }
  for (const input of inputs) writeFileSync(join(folder, inputName(input)), input);
}

/** Writes crashes/<target>-<kind>-<hash>.bin (the input) and .txt (what happened); returns the .bin path. */
export function saveFinding(finding: Finding, dir = CRASHES_DIR): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${finding.target}-${finding.kind}-${inputName(finding.input)}`);
  writeFileSync(`${base}.bin`, finding.input);
  writeFileSync(`${base}.txt`, `${finding.summary}\n\n${finding.stack}\n`);
  return `${base}.bin`;
}
