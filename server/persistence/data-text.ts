/**
 * How the file tools show znode data: as quoted text when it is printable UTF-8 (what most
 * coordination data is: configs, host:port, JSON), as hex otherwise, so a dump never writes raw
 * control bytes to a terminal and binary data stays exact.
 */

export interface ShownData {
  readonly encoding: "utf8" | "hex";
  /** The text (unquoted) or the lowercase hex digits. */
  readonly value: string;
  /** Bytes left out by a preview's limit. */
  readonly omitted: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Printable: valid UTF-8 without control characters other than tab, newline and carriage return. */
export function printableText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

/** The longest prefix of `text` within `limit` UTF-8 bytes: a preview never splits a character. */
function cutText(text: string, limit: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > limit) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/** `limit` bytes at most (a preview); `hex` forces hex. */
export function showData(bytes: Uint8Array, options: { hex?: boolean; limit?: number } = {}): ShownData {
  const limit = options.limit ?? bytes.length;
  const omitted = Math.max(0, bytes.length - limit);
  const text = options.hex ? undefined : printableText(bytes);
  if (text !== undefined) {
    const value = omitted > 0 ? cutText(text, limit) : text;
    return { encoding: "utf8", value, omitted: bytes.length - Buffer.byteLength(value) };
  }
  return { encoding: "hex", value: Buffer.from(bytes.subarray(0, limit)).toString("hex"), omitted };
}

/** `"text"` (JSON-quoted, so newlines stay on one line) or `0x…`, with `…+N bytes` when cut. */
export function dataField(shown: ShownData): string {
  const value = shown.encoding === "utf8" ? JSON.stringify(shown.value) : `0x${shown.value}`;
  return shown.omitted > 0 ? `${value}…+${shown.omitted} bytes` : value;
}
