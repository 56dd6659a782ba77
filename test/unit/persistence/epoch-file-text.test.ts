import { describe, expect, it } from "vitest";
import { readEpoch, writeEpoch } from "../../../server/persistence/epoch-file.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { AssertionError } from "../../../server/util/assert.js";
import { DATA_DIR } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * The epoch files' text, byte by byte: what writeEpoch writes and in which order it makes it
 * durable, what readEpoch accepts (ZooKeeper's bare number line, or ours with `format 1`), and
 * the exact damage it reports otherwise (file, offset, and the offending text).
 */
const PATH = `${DATA_DIR}/currentEpoch`;

function put(files: MemFiles, text: string): void {
  files.mkdir(DATA_DIR);
  const fd = files.open(PATH, "w");
  const bytes = new TextEncoder().encode(text);
  files.write(fd, bytes, 0, bytes.length, 0);
  files.close(fd);
}

async function damageOf(text: string): Promise<StorageCorruptionError> {
  const files = new MemFiles();
  put(files, text);
  const e = await readEpoch(DATA_DIR, "currentEpoch", files).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StorageCorruptionError);
  return e as StorageCorruptionError;
}

describe("writeEpoch", () => {
  it("writes the number and the format line through a synced temp file, a rename and a directory sync", async () => {
    const files = new MemFiles();
    await writeEpoch(DATA_DIR, "currentEpoch", 0, files);
    expect(files.journal).toEqual([
      `open ${PATH}.tmp`,
      `write ${PATH}.tmp`,
      `fsync ${PATH}.tmp`,
      `rename ${PATH}.tmp -> ${PATH}`,
      `fsyncDir ${DATA_DIR}`,
    ]);
    expect(new TextDecoder().decode(files.readFile(PATH))).toBe("0\nformat 1\n");
    expect(files.readdir(DATA_DIR)).toEqual(["currentEpoch"]);
  });

  it("writes the largest safe integer, and refuses what is not a non-negative safe integer", async () => {
    const files = new MemFiles();
    await writeEpoch(DATA_DIR, "acceptedEpoch", Number.MAX_SAFE_INTEGER, files);
    expect(await readEpoch(DATA_DIR, "acceptedEpoch", files)).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [-1, 1.5, 2 ** 53]) {
      const e = await writeEpoch(DATA_DIR, "acceptedEpoch", bad, files).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e).toBeInstanceOf(AssertionError);
      expect(e?.message).toBe(`epoch out of range: ${bad}`);
    }
    expect(await readEpoch(DATA_DIR, "acceptedEpoch", files)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("readEpoch", () => {
  it("reads undefined for a missing file, without opening anything", async () => {
    const files = new MemFiles();
    expect(await readEpoch(DATA_DIR, "acceptedEpoch", files)).toBeUndefined();
    expect(files.journal).toEqual([]);
  });

  for (const [text, value] of [
    ["7", 7],
    ["7\n", 7],
    ["  7 \r\n", 7],
    ["7\nformat 1", 7],
    ["7\nformat 1\n\n", 7],
    ["0000000000000012\n", 12],
    ["9007199254740991\nformat 1\n", Number.MAX_SAFE_INTEGER],
  ] as const) {
    it(`reads ${JSON.stringify(text)} as ${value}`, async () => {
      const files = new MemFiles();
      put(files, text);
      expect(await readEpoch(DATA_DIR, "currentEpoch", files)).toBe(value);
    });
  }

  for (const [text, offset, reason] of [
    ["9\nformat x\n", 2, 'not a format line: "format x"'],
    ["9\nformat 0\n", 2, 'not a format line: "format 0"'],
    ["9\nformat 1234567890\n", 2, 'not a format line: "format 1234567890"'],
    ["9\n format 1\n", 2, 'not a format line: " format 1"'],
    ["9\nformat 1 \nx", 2, 'not a format line: "format 1 "'],
    ["12\nformat 1\nmore\n", 3, 'not a format line: "format 1"'],
    ["", 0, 'not an epoch number: ""'],
    ["x7\n", 0, 'not an epoch number: "x7"'],
    ["7x\nformat 1\n", 0, 'not an epoch number: "7x"'],
    ["-1\n", 0, 'not an epoch number: "-1"'],
    ["1.5\n", 0, 'not an epoch number: "1.5"'],
    ["12345678901234567\n", 0, 'not an epoch number: "12345678901234567"'],
    ["9007199254740992\n", 0, 'not an epoch number: "9007199254740992"'],
    [`${"8".repeat(50)}\n`, 0, `not an epoch number: "${"8".repeat(40)}"`],
  ] as const) {
    it(`reports ${JSON.stringify(text.slice(0, 24))} as damage at offset ${offset}`, async () => {
      const e = await damageOf(text);
      expect([e.file, e.offset, e.reason]).toEqual([PATH, offset, reason]);
    });
  }
});
