/**
 * `paddock bench run` from the Python and Java generators (issue 14: each client's CPU per request
 * measured against the established ZooKeeper client of its language). Each generator runs a short
 * real job (200 operations, 2 processes × 2 sessions × 2 in flight) against a real Paddock through
 * Paddock's client of its language and, through the ZooKeeper door, through the ZooKeeper client
 * of its language, and against a real ZooKeeper 3.8. Nothing about speed is asserted: that every
 * operation ran, without errors, from the generator and client the row names, with client CPU
 * measured in the generator process, and that the server counted a connection per session.
 * The generators are installed by bench/gen-py/build.sh and bench/gen-java/build.sh (.ci/run).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RowResult } from "../../bench/report.js";
import { benchRun } from "../support/bench-run.js";

const outDir = mkdtempSync(join(tmpdir(), "paddock-bench-gen-e2e-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const sessions = 4;
const ops = 200;

interface BenchJson {
  shape: { generator: string; sessions: number; connections: number; clients: Record<string, string> };
  rows: RowResult[];
}

async function bench(args: string[]): Promise<BenchJson> {
  const common = ["--workers=2", "--clients=2", "--concurrency=2", "--value-size=100"];
  const run = [`--ops=${ops}`, "--warmup=0", `--out=${outDir}`];
  return (await benchRun<BenchJson>([...args, ...common, ...run], 110_000)).json;
}

function expectRow(
  out: BenchJson,
  want: { target: string; workload: string; generator: string; client: string },
) {
  const row = out.rows.find((r) => r.target === want.target && r.workload === want.workload);
  expect(row, `${want.target} ${want.workload} row`).toBeDefined();
  expect(row).toMatchObject({ ...want, topology: "independent", sessions, inFlight: 2, errors: 0, ops });
  expect(row!.note).toBeUndefined();
  expect(row!.histogram.count).toBe(ops);
  expect(row!.clientCpuS).toBeGreaterThan(0);
  expect(row!.extra.serverConnections).toBe(sessions);
}

const generators = [
  { generator: "python", paddockClient: "clients/python", zookeeperClient: "kazoo" },
  { generator: "java", paddockClient: "clients/java", zookeeperClient: "ZooKeeper's Java client" },
] as const;

describe.each(generators)(
  "paddock bench --generator $generator",
  ({ generator, paddockClient, zookeeperClient }) => {
    it(`Paddock through ${paddockClient}, ZooKeeper through ${zookeeperClient}: a connection per session`, async () => {
      const out = await bench([`--generator=${generator}`, "--target=paddock,zookeeper", "--workload=set"]);
      expect(out.shape).toMatchObject({
        generator,
        sessions,
        connections: sessions,
        clients: { paddock: paddockClient, zookeeper: zookeeperClient },
      });
      expectRow(out, { target: "paddock", workload: "set", generator, client: paddockClient });
      expectRow(out, { target: "zookeeper", workload: "set", generator, client: zookeeperClient });
    }, 120_000);

    it(`Paddock's ZooKeeper door through ${zookeeperClient} (--paddock-client jute)`, async () => {
      const out = await bench([
        `--generator=${generator}`,
        "--paddock-client=jute",
        "--target=paddock",
        "--workload=create-100,get",
      ]);
      expect(out.shape.clients).toEqual({ paddock: zookeeperClient });
      for (const workload of ["create-100", "get"])
        expectRow(out, { target: "paddock", workload, generator, client: zookeeperClient });
    }, 120_000);
  },
);
