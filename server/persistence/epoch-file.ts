import { join } from "node:path";
import { assert } from "../util/assert.js";
import { type FileLayer, nodeFiles, replaceFileDurably } from "./file-layer.js";
import { checkFormatVersion } from "./format-version.js";
import { StorageCorruptionError } from "./storage-error.js";

export type EpochName = "acceptedEpoch" | "currentEpoch";

/**
 * The epoch files' format: the number's line (as ZooKeeper's, which reads the first line only),
 * then `format 1`. A file without that line, as written before it existed, is version 1.
 */
export const EPOCH_FORMAT_VERSION = 1;

/**
 * ZAB's epoch files in dataDir, as ZooKeeper keeps them: the number in decimal text. Read returns
 * undefined when the file does not exist (a fresh server); anything unparsable is damage, a
 * newer format stops the start (FormatTooNewError).
 */
export async function readEpoch(
  dir: string,
  name: EpochName,
  files: FileLayer = nodeFiles,
): Promise<number | undefined> {
  const path = join(dir, name);
  if (files.stat(path) === undefined) return undefined;
  const [text = "", format, ...rest] = new TextDecoder().decode(files.readFile(path)).trim().split("\n");
  const version =
    format === undefined ? EPOCH_FORMAT_VERSION : Number(/^format (\d{1,9})$/.exec(format)?.[1]);
  if (version >= 1 && rest.length === 0)
    checkFormatVersion(path, "epoch file", version, EPOCH_FORMAT_VERSION);
  else
    throw new StorageCorruptionError(path, text.length + 1, `not a format line: ${JSON.stringify(format)}`);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new StorageCorruptionError(path, 0, `not an epoch number: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Number(text);
}

/** Atomic replace: write a temp file, fsync it, rename over the old one, fsync the directory. */
export async function writeEpoch(
  dir: string,
  name: EpochName,
  value: number,
  files: FileLayer = nodeFiles,
): Promise<void> {
  assert(Number.isSafeInteger(value) && value >= 0, `epoch out of range: ${value}`);
  const bytes = new TextEncoder().encode(`${value}\nformat ${EPOCH_FORMAT_VERSION}\n`);
  replaceFileDurably(files, dir, join(dir, name), bytes);
}
