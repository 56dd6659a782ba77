/**
 * `paddock bench run` end to end in the shape applications connect in (issue 14): every session its
 * own connection, from the TS generator and from the Go generator (bench/gen-go, built by the
 * bench), against Paddock and ZooKeeper 3.8 (Debian's), which the bench starts itself. Tiny rows
 * (1 s, no warm-up); nothing about speed is asserted, only that the rows ran, cleanly, in the shape
 * they claim: the server's own count of client connections (mntr's zk_num_alive_connections, read
 * by the bench once every generator session is open) equals the sessions, or, multiplexed, the
 * generator processes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RowResult } from "../../bench/report.js";
import { benchRun } from "../support/bench-run.js";

const outDir = mkdtempSync(join(tmpdir(), "paddock-bench-e2e-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const workers = 2;
const clients = 2;
const sessions = workers * clients;

interface BenchJson {
  shape: { topology: string; generator: string; sessions: number; connections: number };
  rows: RowResult[];
}

async function bench(args: string[]): Promise<BenchJson> {
  const common = [`--workers=${workers}`, `--clients=${clients}`, "--concurrency=2", "--value-size=100"];
  const run = ["--duration=1", "--warmup=0", `--out=${outDir}`];
  return (await benchRun<BenchJson>([...args, ...common, ...run], 110_000)).json;
}

function expectRow(
  out: BenchJson,
  want: { target: string; workload: string; generator: string; client: string; topology: string },
  connections: number,
): void {
  const row = out.rows.find((r) => r.target === want.target && r.workload === want.workload);
  expect(row, `${want.target} ${want.workload} row`).toBeDefined();
  expect(row).toMatchObject({ ...want, sessions, inFlight: 2, errors: 0 });
  expect(row!.note).toBeUndefined();
  expect(row!.ops).toBeGreaterThan(0);
  expect(row!.histogram.count).toBe(row!.ops);
  expect(row!.extra.serverConnections).toBe(connections);
}

describe("paddock bench, independent sessions", () => {
  it("Go generator: Paddock through clients/go and ZooKeeper through go-zookeeper, a connection per session", async () => {
    const out = await bench(["--generator=go", "--target=paddock,zookeeper", "--workload=set,get"]);
    expect(out.shape).toMatchObject({
      topology: "independent",
      generator: "go",
      sessions,
      connections: sessions,
    });
    for (const workload of ["set", "get"]) {
      expectRow(
        out,
        { target: "paddock", workload, generator: "go", client: "clients/go", topology: "independent" },
        sessions,
      );
      expectRow(
        out,
        { target: "zookeeper", workload, generator: "go", client: "go-zookeeper", topology: "independent" },
        sessions,
      );
    }
  }, 120_000);

  it("TS generator: Paddock through clients/ts (a transport per session) and ZooKeeper through node-zookeeper-client", async () => {
    const out = await bench(["--target=paddock,zookeeper", "--workload=mixed", "--topology=independent"]);
    expect(out.shape).toMatchObject({ topology: "independent", generator: "ts", sessions });
    expectRow(
      out,
      {
        target: "paddock",
        workload: "mixed",
        generator: "ts",
        client: "clients/ts",
        topology: "independent",
      },
      sessions,
    );
    expectRow(
      out,
      {
        target: "zookeeper",
        workload: "mixed",
        generator: "ts",
        client: "node-zookeeper-client",
        topology: "independent",
      },
      sessions,
    );
  }, 120_000);

  it("the multiplexed row says so: one connection per generator process", async () => {
    const out = await bench(["--target=paddock", "--workload=set", "--topology=multiplexed"]);
    expect(out.shape).toMatchObject({ topology: "multiplexed", connections: workers });
    expectRow(
      out,
      { target: "paddock", workload: "set", generator: "ts", client: "clients/ts", topology: "multiplexed" },
      workers,
    );
  }, 60_000);
});
