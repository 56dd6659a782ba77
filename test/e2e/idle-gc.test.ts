import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// The idle collection on a real server: after a write burst and a quiet moment, full GCs, logged.
let server: ServerHandle;
let client: Client;

beforeAll(async () => {
  server = await startServer({
    settings: { "paddock.idleGcAfterMs": 300, "paddock.idleGcGrowthBytesMin": 1024 * 1024 },
  });
  client = await connect(server.address, { sessionTimeoutMs: 30_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** Polls the server's log until `pattern` shows, or fails after `ms`. */
async function logShows(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = server.log().match(pattern);
    if (m !== null) return m;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the log within ${ms} ms:\n${server.log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("idle collection", () => {
  it("runs two full GCs once writes stop after the process grew, and keeps serving", async () => {
    const value = "v".repeat(1000);
    await client.create("/idle", "");
    for (let i = 0; i < 4000; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) => client.create(`/idle/z${i + j}`, value)));
    const m = await logShows(/idle collection: 2 full GCs in (\d+) ms, RSS ([\d.]+) -> ([\d.]+) MiB/, 30_000);
    expect(Number(m[1])).toBeGreaterThanOrEqual(0);
    expect((await client.getData("/idle/z3999")).data.length).toBe(1000);
  });
});
