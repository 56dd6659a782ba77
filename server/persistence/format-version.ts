/**
 * Every file Paddock writes declares its format: log segments and snapshots in their 16-byte
 * header (magic, version u32), epoch files in a `format N` line after the number. A file from a
 * newer build stops the start naming the file and both versions, so a rolling upgrade rolled
 * back (or a data directory copied to an older build) never reads what it does not understand,
 * and never mistakes it for damage to skip or truncate.
 */
export class FormatTooNewError extends Error {
  override name = "FormatTooNewError";
  constructor(
    readonly file: string,
    readonly kind: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${file}: ${kind} format version ${found} is newer than this build reads (up to ${supported}); refusing to start: run a Paddock build that reads version ${found}`,
    );
  }
}

/** Throws FormatTooNewError when `found` is newer than `supported`; older values are the caller's. */
export function checkFormatVersion(file: string, kind: string, found: number, supported: number): void {
  if (found > supported) throw new FormatTooNewError(file, kind, found, supported);
}
