import { describe, expect, it } from "vitest";
import { Histogram } from "../../../bench/histogram.js";
import {
  computeRatios,
  formatRatios,
  formatTable,
  makeRow,
  ratio,
  serverCpuPerOpUs,
} from "../../../bench/report.js";
import { latencyChartSvg, logBins } from "../../../bench/svg-chart.js";

function row(
  target: string,
  workload: string,
  ops: number,
  p: number,
  serverCpuS: number | null,
  extra = {},
) {
  const h = new Histogram();
  for (let i = 0; i < 100; i++) h.record(p);
  return makeRow({
    target,
    workload,
    ops,
    durationS: 10,
    histogram: h,
    errors: 0,
    clientCpuS: 1,
    serverCpuS,
    extra,
  });
}

describe("ratios and the table", () => {
  it("divides, and refuses missing or zero denominators", () => {
    expect(ratio(30, 10)).toBe(3);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(2, undefined)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
  });

  it("computes Paddock/reference per workload, skipping the no-op target", () => {
    const rows = [
      row("paddock", "set", 200_000, 500, 10),
      row("zookeeper", "set", 100_000, 1000, 10),
      row("etcd", "set", 400_000, 250, null),
      row("noop", "set", 1_000_000, 100, 1),
      row("paddock", "memory", 1000, 10, 1, { bytesPerZnode: 400 }),
      row("zookeeper", "memory", 1000, 10, 1, { bytesPerZnode: 1600 }),
    ];
    const ratios = computeRatios(rows);
    expect(ratios.map((r) => `${r.workload}/${r.reference}`)).toEqual([
      "set/zookeeper",
      "set/etcd",
      "memory/zookeeper",
    ]);
    const [zk, etcd, memory] = ratios;
    expect(zk!.throughput).toBe(2);
    expect(zk!.p99).toBe(0.5);
    expect(zk!.serverCpuPerOp).toBe(0.5);
    expect(etcd!.throughput).toBe(0.5);
    expect(etcd!.serverCpuPerOp).toBeNull();
    expect(memory!.bytesPerZnode).toBe(0.25);
    expect(formatRatios(ratios)).toContain("Paddock/ZooKeeper");
  });

  it("gives no throughput ratio for a row that could not be measured", () => {
    const failed = makeRow({
      target: "paddock",
      workload: "recovery",
      ops: 0,
      durationS: 0,
      histogram: new Histogram(),
      errors: 1,
      clientCpuS: 0,
      serverCpuS: null,
      note: "n/a (no durability)",
    });
    const ratios = computeRatios([
      failed,
      row("zookeeper", "recovery", 1, 700_000, null, { recoveryMs: 700 }),
    ]);
    expect(ratios[0]!.throughput).toBeNull();
    expect(ratios[0]!.recovery).toBeNull();
    expect(formatTable([failed])).toContain("n/a (no durability)");
  });

  it("shows the member count, and compares failover times as recovery", () => {
    const ensemble = (target: string, failoverMs: number) =>
      makeRow({
        target,
        members: 3,
        workload: "failover",
        ops: 1,
        durationS: failoverMs / 1000,
        histogram: new Histogram(),
        errors: 0,
        clientCpuS: 0,
        serverCpuS: null,
        extra: { failoverMs, newLeaderMs: failoverMs / 2 },
      });
    const rows = [ensemble("paddock", 300), ensemble("zookeeper", 600)];
    const table = formatTable(rows).split("\n");
    expect(table[0]).toMatch(/^workload\s+target\s+members\s/);
    expect(table[1]).toMatch(/^failover\s+paddock\s+3\s/);
    expect(table[1]).toContain("failover 300ms");
    expect(row("paddock", "set", 1, 1, null).members).toBe(1);
    expect(computeRatios(rows)[0]!.recovery).toBe(0.5);
  });

  it("reports server CPU per operation", () => {
    expect(serverCpuPerOpUs(row("paddock", "get", 1000, 1, 0.5))).toBe(500);
    expect(serverCpuPerOpUs(row("paddock", "get", 1000, 1, null))).toBeNull();
  });

  it("draws one line per series in an SVG with a title", () => {
    const a = new Histogram();
    for (let i = 1; i <= 1000; i++) a.record(i * 10);
    const svg = latencyChartSvg("set: latency", [
      { label: "paddock", histogram: a.toData() },
      { label: "zookeeper <ref>", histogram: a.toData() },
    ]);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain("<title>set: latency</title>");
    expect(svg).toContain("zookeeper &lt;ref&gt;");
    const shares = [...logBins(a.toData()).values()].reduce((x, y) => x + y, 0);
    expect(shares).toBeCloseTo(1, 9);
  });
});
