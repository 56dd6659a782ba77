/**
 * Medians over several runs of `paddock bench` (each run's results.json): ops/s, server CPU per
 * operation and p99 per target, members, workload and shape (topology and generator language),
 * and the Paddock / ZooKeeper ratios of the medians. Run: node --import tsx bench/median.ts DIR [DIR...] (a DIR holds a results.json).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface Row {
  target: string;
  members: number;
  workload: string;
  ops: number;
  opsPerSec: number;
  serverCpuS: number | null;
  latency: { p99: number };
  /** Absent in results written before the bench had shapes. */
  topology?: string;
  generator?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface MedianRow {
  key: string;
  runs: number;
  opsPerSec: number;
  serverUsPerOp: number | null;
  p99Ms: number;
}

export function medians(runs: readonly Row[][]): MedianRow[] {
  const groups = new Map<string, Row[]>();
  for (const rows of runs) {
    for (const row of rows) {
      if (row.ops === 0) continue;
      const shape = row.topology === undefined ? "" : ` ${row.topology}/${row.generator ?? "ts"}`;
      const key = `${row.workload} ${row.target} x${row.members}${shape}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
  }
  return [...groups].map(([key, rows]) => {
    const cpu = rows.filter((r) => r.serverCpuS !== null).map((r) => (r.serverCpuS! * 1e6) / r.ops);
    return {
      key,
      runs: rows.length,
      opsPerSec: median(rows.map((r) => r.opsPerSec)),
      serverUsPerOp: cpu.length === rows.length ? median(cpu) : null,
      p99Ms: median(rows.map((r) => r.latency.p99 / 1000)),
    };
  });
}

function main(dirs: string[]): void {
  const runs = dirs.map(
    (d) => (JSON.parse(readFileSync(join(d, "results.json"), "utf8")) as { rows: Row[] }).rows,
  );
  const rows = medians(runs);
  console.log("median of", dirs.length, "runs");
  console.log(`${"row".padEnd(44)} runs     ops/s  srv µs/op   p99 ms`);
  for (const r of rows) {
    const cpu = r.serverUsPerOp === null ? "n/a" : r.serverUsPerOp.toFixed(1);
    console.log(
      `${r.key.padEnd(44)} ${String(r.runs).padStart(4)} ${r.opsPerSec.toFixed(0).padStart(9)} ${cpu.padStart(10)} ${r.p99Ms.toFixed(2).padStart(8)}`,
    );
  }
  for (const r of rows.filter((x) => x.key.includes(" paddock "))) {
    const ref = rows.find((x) => x.key === r.key.replace(" paddock ", " zookeeper "));
    if (ref === undefined) continue;
    const cpu =
      r.serverUsPerOp !== null && ref.serverUsPerOp !== null
        ? `${(r.serverUsPerOp / ref.serverUsPerOp).toFixed(2)}x`
        : "n/a";
    console.log(
      `${r.key.replace(" paddock", "")}: Paddock/ZooKeeper ops/s ${(r.opsPerSec / ref.opsPerSec).toFixed(2)}x, srv cpu/op ${cpu}`,
    );
  }
}

if (process.argv[1]?.endsWith("median.ts")) main(process.argv.slice(2));
