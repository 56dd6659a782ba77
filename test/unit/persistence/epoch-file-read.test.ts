import { describe, expect, it } from "vitest";
import { readEpoch } from "../../../server/persistence/epoch-file.js";
import { FormatTooNewError } from "../../../server/persistence/format-version.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { DATA_DIR } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

/**
 * readEpoch beside epoch-file-text.test.ts: a newer format of more than one digit is a newer
 * format, not damage (reading one digit only would send the operator to repair a file this build
 * merely cannot read); a number line is decimal digits only, not anything Number() would take.
 */
const PATH = `${DATA_DIR}/currentEpoch`;

async function refusal(text: string, kind: new (...args: never[]) => Error): Promise<Error> {
  const files = new MemFiles();
  files.mkdir(DATA_DIR);
  const fd = files.open(PATH, "w");
  const bytes = new TextEncoder().encode(text);
  files.write(fd, bytes, 0, bytes.length, 0);
  files.close(fd);
  const e = await readEpoch(DATA_DIR, "currentEpoch", files).then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  expect(e).toBeInstanceOf(kind);
  return e as Error;
}

describe("readEpoch of a newer format", () => {
  for (const version of [12, 999_999_999]) {
    it(`format ${version} is refused as newer, naming the file, its kind and the version`, async () => {
      const e = await refusal(`9\nformat ${version}\n`, FormatTooNewError);
      expect(e.message).toBe(
        `${PATH}: epoch file format version ${version} is newer than this build reads (up to 1); ` +
          `refusing to start: run a Paddock build that reads version ${version}`,
      );
    });
  }
});

describe("readEpoch of a number line", () => {
  for (const text of ["1e3", "0x10", "12 "]) {
    it(`refuses ${JSON.stringify(text)}, which Number() reads as an integer`, async () => {
      const e = (await refusal(`${text}\nformat 1\n`, StorageCorruptionError)) as StorageCorruptionError;
      expect([e.file, e.offset, e.reason]).toEqual([PATH, 0, `not an epoch number: ${JSON.stringify(text)}`]);
    });
  }
});
