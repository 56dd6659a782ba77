import { describe, expect, it } from "vitest";
import { readEpoch, writeEpoch } from "../../../server/persistence/epoch-file.js";
import { FormatTooNewError } from "../../../server/persistence/format-version.js";
import { segmentName } from "../../../server/persistence/log-format.js";
import { recover } from "../../../server/persistence/recovery.js";
import { readSnapshot, writeSnapshot } from "../../../server/persistence/snapshot.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { DATA_DIR, LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

// Format versions: a newer file stops recovery naming it; a damaged version field whose records
// still check as today's format is damage, not a newer file. test/e2e/format-version.test.ts runs
// the same against a real server's files.

const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

async function filesWithLog(): Promise<MemFiles> {
  const files = new MemFiles();
  const log = await TxnLog.open(memOptions(files));
  for (let c = 1; c <= 3; c++) await log.append(z(c), record(z(c), 20));
  await log.close();
  return files;
}

describe("format versions", () => {
  it("a log segment of a newer format stops recovery naming the file and both versions", async () => {
    const files = await filesWithLog();
    const file = `${LOG_DIR}/${segmentName(z(1))}`;
    files.damage(file, 4, u32(2));
    files.damage(file, 20, [files.readFile(file)[20]! ^ 0xff]);
    const e = await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FormatTooNewError);
    expect((e as Error).message).toBe(
      `${file}: log segment format version 2 is newer than this build reads (up to 1); refusing to start: run a Paddock build that reads version 2`,
    );
  });

  it("a segment whose version field alone changed is damage at offset 4", async () => {
    const files = await filesWithLog();
    const file = `${LOG_DIR}/${segmentName(z(1))}`;
    files.damage(file, 4, u32(0x41));
    const e = await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StorageCorruptionError);
    expect(e).toMatchObject({ file, offset: 4 });
  });

  it("a snapshot of a newer format is FormatTooNewError, one with a damaged version field is damage", async () => {
    const files = new MemFiles();
    const input = { zxid: z(5), digest: 5n, acls: [], nodes: [], sessions: [], nodeCount: 0 };
    const file = await writeSnapshot(DATA_DIR, input, files);
    files.damage(file, 4, u32(3));
    await expect(readSnapshot(file, files)).rejects.toThrow(StorageCorruptionError);
    files.damage(file, 20, [files.readFile(file)[20]! ^ 0xff]);
    await expect(readSnapshot(file, files)).rejects.toThrow(
      `${file}: snapshot format version 3 is newer than this build reads (up to 1)`,
    );
    // Recovery does not skip it as damage to fall back on an older snapshot.
    await expect(recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files })).rejects.toThrow(
      FormatTooNewError,
    );
  });

  it("epoch files: `format 1` written, a file without it read as version 1, a newer one refused", async () => {
    const files = new MemFiles();
    await writeEpoch(DATA_DIR, "currentEpoch", 7, files);
    expect(new TextDecoder().decode(files.readFile(`${DATA_DIR}/currentEpoch`))).toBe("7\nformat 1\n");
    const put = (text: string) => {
      const fd = files.open(`${DATA_DIR}/currentEpoch`, "w");
      const bytes = new TextEncoder().encode(text);
      files.write(fd, bytes, 0, bytes.length, 0);
      files.close(fd);
    };
    put("8\n");
    expect(await readEpoch(DATA_DIR, "currentEpoch", files)).toBe(8);
    put("9\nformat 2\n");
    await expect(readEpoch(DATA_DIR, "currentEpoch", files)).rejects.toThrow(
      `${DATA_DIR}/currentEpoch: epoch file format version 2 is newer than this build reads (up to 1)`,
    );
    put("9\nformat x\n");
    await expect(readEpoch(DATA_DIR, "currentEpoch", files)).rejects.toThrow(StorageCorruptionError);
  });
});
