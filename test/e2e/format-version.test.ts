import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// The on-disk format version of every file a member writes, checked at start against a real
// server's own files: one made "newer" at a time stops the start naming the file and both
// versions; put back, the member starts with its data.

let server: ServerHandle;
let dataDir: string;

beforeAll(async () => {
  server = await startServer();
  const client = await connect(server.address);
  await client.create("/kept", "v");
  await client.close();
  await server.stop();
  dataDir = server.dataDir;
});

afterAll(async () => {
  await server?.stop();
});

const newest = (prefix: string): string => {
  const names = readdirSync(dataDir).filter((f) => f.startsWith(prefix) && !f.endsWith(".tmp"));
  const zxid = (n: string) => Number.parseInt(n.slice(prefix.length), 16);
  return join(dataDir, names.sort((a, b) => zxid(a) - zxid(b)).at(-1)!);
};

/** Starting fails while `file` holds `changed`; it starts again once the original is back. */
async function refusedWith(file: string, changed: Buffer): Promise<string> {
  const original = readFileSync(file);
  writeFileSync(file, changed);
  const failure = await startServer({ dataDir }).then(
    async (s) => {
      await s.stop();
      return "started";
    },
    (e: unknown) => (e as Error).message,
  );
  writeFileSync(file, original);
  return failure;
}

/**
 * The file as a newer build would leave it: its header's version raised, and its first record no
 * longer checking under today's rules (a newer format lays records out differently). A raised
 * version alone, with records that check, is a damaged version field (test/unit/persistence).
 */
function fromNewerBuild(file: string, version: number): Buffer {
  const bytes = Buffer.from(readFileSync(file));
  bytes.writeUInt32LE(version, 4);
  // Both formats frame records [length u32][crc32c u32]… from byte 16.
  bytes[20] = bytes[20]! ^ 0xff;
  return bytes;
}

describe("format versions checked at start", () => {
  it("today's files declare version 1: snapshots and log segments in their header, epoch files in a line", () => {
    expect(readFileSync(newest("snapshot.")).readUInt32LE(4)).toBe(1);
    expect(readFileSync(newest("log.")).readUInt32LE(4)).toBe(1);
    expect(readFileSync(join(dataDir, "currentEpoch"), "utf8")).toMatch(/^\d+\nformat 1\n$/);
  });

  it("a snapshot from a newer build stops the start, naming it and both versions", async () => {
    const file = newest("snapshot.");
    expect(await refusedWith(file, fromNewerBuild(file, 2))).toContain(
      `${file}: snapshot format version 2 is newer than this build reads (up to 1); refusing to start`,
    );
  });

  it("so does a log segment", async () => {
    const file = newest("log.");
    expect(await refusedWith(file, fromNewerBuild(file, 7))).toContain(
      `${file}: log segment format version 7 is newer than this build reads (up to 1); refusing to start`,
    );
  });

  it("and an epoch file; one without a format line (written before it existed) is version 1", async () => {
    const file = join(dataDir, "currentEpoch");
    const epoch = readFileSync(file, "utf8").split("\n")[0]!;
    expect(await refusedWith(file, Buffer.from(`${epoch}\nformat 3\n`))).toContain(
      `${file}: epoch file format version 3 is newer than this build reads (up to 1); refusing to start`,
    );
    writeFileSync(file, `${epoch}\n`);
    server = await startServer({ dataDir });
    const client = await connect(server.address);
    expect(Buffer.from((await client.getData("/kept")).data).toString()).toBe("v");
    await client.close();
  });
});
