import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, LeaderLatch, Lock } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { buildPrograms, type Language, type Programs, run } from "./cross-language-programs.js";

// Go, Python, Java and TypeScript contenders on one lock path and one leader latch, all in
// Curator's layouts (docs/RECIPES.md): `_c_<uuid>-lock-<seq>` and `_c_<uuid>-latch-<seq>`.
let server: ServerHandle;
let programs: Programs;
const dir = mkdtempSync(join(tmpdir(), "paddock-xlock-"));
const clients: Client[] = [];
const languages: Language[] = ["go", "py", "java"];

beforeAll(async () => {
  programs = buildPrograms(dir);
  server = await startServer();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await server?.stop();
});

/** TS contender: the same ACQUIRED/RELEASED lines, appended to the same O_APPEND file. */
async function tsHolder(logFile: string, id: string, take: () => Promise<void>, give: () => Promise<void>) {
  await take();
  appendFileSync(logFile, `ACQUIRED ${id}\n`);
  // Holding is the point: the others must wait through it.
  await new Promise((r) => setTimeout(r, 150));
  appendFileSync(logFile, `RELEASED ${id}\n`);
  await give();
}

async function contend(recipe: "lock" | "latch", path: string): Promise<string[]> {
  // One O_APPEND file shared by every contender: each writes RELEASED before deleting its node,
  // so the file's line order is the hand-over order and two holders at once would show as two
  // ACQUIRED lines in a row.
  const logFile = join(dir, `${recipe}.log`);
  const out = openSync(logFile, "a");
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < 2; i++) {
    for (const language of languages) {
      const args = { server: server.address, path, "hold-ms": "150", id: `${language}-${i}`, recipe };
      runs.push(run(programs.command(language, "lock", args), out));
    }
    const client = await connect(server.address, { sessionTimeoutMs: 10_000 });
    clients.push(client);
    if (recipe === "lock") {
      const lock = new Lock(client, path);
      runs.push(
        tsHolder(
          logFile,
          `ts-${i}`,
          async () => void (await lock.acquire()),
          () => lock.release(),
        ),
      );
    } else {
      const latch = new LeaderLatch(client, path, `ts-${i}`);
      runs.push(
        tsHolder(
          logFile,
          `ts-${i}`,
          async () => {
            await latch.start();
            await latch.awaitLeadership();
          },
          () => latch.close(),
        ),
      );
    }
  }
  await Promise.all(runs);
  closeSync(out);
  return readFileSync(logFile, "utf8").trim().split("\n");
}

function expectExclusive(lines: string[]): void {
  expect(lines).toHaveLength(16);
  for (let i = 0; i < lines.length; i += 2) {
    const [acquired, id] = lines[i]!.split(" ");
    expect(acquired).toBe("ACQUIRED");
    expect(lines[i + 1]).toBe(`RELEASED ${id}`);
  }
  const holders = new Set(lines.map((l) => l.split(" ")[1]!.split("-")[0]));
  expect(holders).toEqual(new Set(["go", "py", "java", "ts"]));
}

describe("cross-language recipes", () => {
  it("Go, Python, Java and TypeScript contending for one lock never hold it at the same time", async () => {
    expectExclusive(await contend("lock", "/locks/cross"));
  });

  it("a leader latch hands leadership over across languages, one leader at a time", async () => {
    // Every participant leads once and closes: with four languages in one election, leadership
    // necessarily passes from one language's latch to another's.
    const lines = await contend("latch", "/election/cross");
    expectExclusive(lines);
    const order = lines.filter((l) => l.startsWith("ACQUIRED")).map((l) => l.split(" ")[1]!.split("-")[0]);
    const crossings = order.slice(1).filter((language, i) => language !== order[i]).length;
    expect(crossings).toBeGreaterThanOrEqual(3);
  });
});
