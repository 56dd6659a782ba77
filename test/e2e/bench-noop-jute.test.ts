/**
 * The no-op target's ZooKeeper-protocol side (bench/targets/noop-jute.ts): `paddock bench run
 * --target noop --paddock-client jute` drives it with node-zookeeper-client (TS generator) and
 * go-zookeeper (Go generator), the ceiling row for the ZooKeeper clients' shape. Real clients, so
 * a reply they cannot parse shows up as errors or a timeout; the gRPC side on the same port must
 * keep working. Nothing about speed is asserted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RowResult } from "../../bench/report.js";
import { benchRun } from "../support/bench-run.js";

const outDir = mkdtempSync(join(tmpdir(), "paddock-bench-noop-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

async function rows(args: string[]): Promise<RowResult[]> {
  const shape = ["--workers=1", "--clients=3", "--concurrency=2", "--value-size=100"];
  const run = ["--duration=1", "--warmup=0", `--out=${outDir}`];
  return (await benchRun<{ rows: RowResult[] }>(["--target=noop", ...args, ...shape, ...run], 80_000)).json
    .rows;
}

function expectClean(all: RowResult[], workloads: string[], generator: string, client: string): void {
  for (const workload of workloads) {
    const row = all.find((r) => r.workload === workload);
    expect(row, `${workload} row`).toBeDefined();
    expect(row).toMatchObject({ target: "noop", generator, client, sessions: 3, inFlight: 2, errors: 0 });
    expect(row!.note).toBeUndefined();
    expect(row!.ops).toBeGreaterThan(0);
  }
}

describe("the no-op target's ZooKeeper-protocol side", () => {
  it("answers node-zookeeper-client (TS generator): create sequential, setData, getData", async () => {
    const all = await rows(["--paddock-client=jute", "--workload=create-100,set,get"]);
    expectClean(all, ["create-100", "set", "get"], "ts", "node-zookeeper-client");
  }, 90_000);

  it("answers go-zookeeper (Go generator), and clients/go on the same port over gRPC", async () => {
    expectClean(
      await rows(["--generator=go", "--paddock-client=jute", "--workload=set,get"]),
      ["set", "get"],
      "go",
      "go-zookeeper",
    );
    expectClean(await rows(["--generator=go", "--workload=set"]), ["set"], "go", "clients/go");
  }, 90_000);
});
