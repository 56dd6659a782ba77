import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { runProcess } from "../support/run-process.js";

// Every program in examples/ runs to completion against a real server and prints what it promises.
let server: ServerHandle;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

async function example(name: string): Promise<string[]> {
  const run = await runProcess(process.execPath, ["--import", "tsx", `examples/${name}.ts`, server.address], {
    timeoutMs: 30_000,
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout.trim().split("\n");
}

describe("examples/", () => {
  it("lock: three workers, nine increments, no lost update, growing fencing tokens", async () => {
    const lines = await example("lock");
    expect(lines.at(-1)).toBe("final counter: 9");
    const holds = lines.filter((l) => l.includes("holds the lock"));
    expect(holds).toHaveLength(9);
    expect(holds.map((l) => Number(/counter = (\d+)/.exec(l)![1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const tokens = holds.map((l) => BigInt(/token (\d+)/.exec(l)![1]!));
    expect(tokens).toEqual([...tokens].sort((a, b) => (a < b ? -1 : 1)));
  });

  it("election: leadership passes alpha → beta → gamma", async () => {
    const lines = await example("election");
    expect(lines.filter((l) => l.includes("is the leader")).map((l) => l.split(" ")[0])).toEqual([
      "alpha",
      "beta",
      "gamma",
    ]);
    expect(lines).toContain("participants: alpha, beta, gamma");
    expect(lines).toContain("participants: gamma");
  });

  it("config-push: the subscriber sees every published value", async () => {
    const lines = await example("config-push");
    expect(lines.at(-1)).toMatch(/db=url=postgres:\/\/db2 .*http=timeout=30s$/);
    expect(lines.some((l) => /^changed .*\/http = timeout=30s$/.test(l))).toBe(true);
  });

  it("discovery: round robin over two instances, then only the one left", async () => {
    const lines = await example("discovery");
    expect(lines.slice(0, 4).map((l) => l.split(" ")[3])).toEqual(["api-1", "api-2", "api-1", "api-2"]);
    expect(lines.at(-1)).toBe("after api-1 left: api-2");
  });
});
