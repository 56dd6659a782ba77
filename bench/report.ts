/** Result rows, the text table and the Paddock/reference ratios (pure). */
import { Histogram, type HistogramData } from "./histogram.js";

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface RowResult {
  target: string;
  /** Members of the server under test (1: standalone); server CPU and RSS are summed over them. */
  members: number;
  workload: string;
  /** Operations measured (for watch: notifications; for sessions: sessions opened). */
  ops: number;
  durationS: number;
  opsPerSec: number;
  /** Microseconds. */
  latency: LatencySummary;
  histogram: HistogramData;
  errors: number;
  /** One error message, to say what failed. */
  errorSample?: string | undefined;
  /** CPU seconds used by the generator processes during the measured window. */
  clientCpuS: number;
  /** CPU seconds used by the server (every member process) during the measured window; null when unknown. */
  serverCpuS: number | null;
  /** Server RSS (VmRSS summed over every member process) at the end of the measured window; null when unknown. */
  serverRssBytes: number | null;
  /** Workload-specific figures: rssGrowthBytes, bytesPerZnode, recoveryMs, failoverMs, ... */
  extra: Record<string, number>;
  /** Replaces the figures when the row could not be measured, e.g. "n/a (no durability)". */
  note?: string | undefined;
  /** The language of the process that ran the clients: ts (node) or go (bench/gen-go). */
  generator?: string | undefined;
  /** The client library the sessions used: clients/ts, clients/go, node-zookeeper-client, ... */
  client?: string | undefined;
  /**
   * independent: every session its own connection; multiplexed: the sessions of one generator
   * process over one shared gRPC transport.
   */
  topology?: string | undefined;
  /** Sessions open against the server (generator processes × sessions each), load rows only. */
  sessions?: number | undefined;
  /** Operations in flight per session, load rows only. */
  inFlight?: number | undefined;
}

export function summarize(h: Histogram): LatencySummary {
  return {
    p50: h.percentile(50),
    p90: h.percentile(90),
    p99: h.percentile(99),
    p999: h.percentile(99.9),
    max: h.max,
    mean: h.mean(),
  };
}

export function makeRow(
  fields: Omit<RowResult, "latency" | "histogram" | "opsPerSec" | "extra" | "members" | "serverRssBytes"> & {
    histogram: Histogram;
    extra?: Record<string, number>;
    /** Default 1. */
    members?: number;
    /** Default null. */
    serverRssBytes?: number | null;
  },
): RowResult {
  return {
    ...fields,
    members: fields.members ?? 1,
    serverRssBytes: fields.serverRssBytes ?? null,
    opsPerSec: fields.durationS > 0 ? fields.ops / fields.durationS : 0,
    latency: summarize(fields.histogram),
    histogram: fields.histogram.toData(),
    extra: fields.extra ?? {},
  };
}

/** Microseconds as a short human figure. */
export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(2)}ms`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(1)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

function formatCount(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString("en-US");
  return n.toFixed(1);
}

function formatExtra(extra: Record<string, number>): string {
  const parts: string[] = [];
  if (extra.rssGrowthBytes !== undefined)
    parts.push(`rss +${(extra.rssGrowthBytes / 2 ** 20).toFixed(1)}MiB`);
  if (extra.bytesPerZnode !== undefined) {
    const when =
      extra.loadedBytesPerZnode !== undefined && extra.settledAfterS !== undefined
        ? ` at rest after ${Math.round(extra.settledAfterS)}s (${Math.round(extra.loadedBytesPerZnode)} 1s after loading)`
        : " 1s after loading";
    parts.push(`RSS ${Math.round(extra.bytesPerZnode)} B/znode${when}`);
  }
  if (extra.liveHeapBytesPerZnode !== undefined) {
    const split =
      extra.externalBytesPerZnode !== undefined && extra.externalBytesPerZnode !== 0
        ? ` (heap ${Math.round(extra.heapUsedBytesPerZnode ?? 0)} + external ${Math.round(extra.externalBytesPerZnode)})`
        : "";
    parts.push(`live heap ${Math.round(extra.liveHeapBytesPerZnode)} B/znode after full GC${split}`);
  }
  if (extra.rssAfterGcBytesPerZnode !== undefined)
    parts.push(`RSS ${Math.round(extra.rssAfterGcBytesPerZnode)} B/znode after it`);
  if (extra.recoveryMs !== undefined) parts.push(`recovery ${Math.round(extra.recoveryMs)}ms`);
  if (extra.failoverMs !== undefined) {
    const leader =
      extra.newLeaderMs === undefined ? "" : `, new leader seen after ${Math.round(extra.newLeaderMs)}ms`;
    parts.push(`failover ${Math.round(extra.failoverMs)}ms (leader killed -9 → first write acked${leader})`);
  }
  if (extra.serverConnections !== undefined)
    parts.push(
      `server counted ${extra.serverConnections} generator connection${extra.serverConnections === 1 ? "" : "s"}`,
    );
  if (extra.rssPerSessionBytes !== undefined) parts.push(`${Math.round(extra.rssPerSessionBytes)} B/session`);
  if (extra.meanAckToLastNotificationUs !== undefined)
    parts.push(
      `${extra.watchers} watchers, last notified ${formatUs(Math.max(0, extra.meanAckToLastNotificationUs))} after ack ` +
        `(mean), ${extra.earlyNotifications ?? 0} notifications before ack`,
    );
  return parts.join(", ");
}

/** Server CPU per operation in microseconds: the figure that survives a shared machine best. */
export function serverCpuPerOpUs(row: RowResult): number | null {
  if (row.serverCpuS === null || row.ops === 0) return null;
  return (row.serverCpuS * 1e6) / row.ops;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells
    .map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "))
    .join("\n");
}

/** "go clients/go", "independent", "32×4": who generated the load and how it connected. */
export function shapeCells(r: RowResult): [string, string, string] {
  const client = r.client === undefined ? "-" : `${r.generator ?? "?"} ${r.client}`;
  const shape = r.sessions === undefined ? "-" : `${r.sessions}×${r.inFlight ?? "?"}`;
  return [client, r.topology ?? "-", shape];
}

export function formatTable(rows: readonly RowResult[]): string {
  const header = [
    "workload",
    "target",
    "members",
    "client",
    "topology",
    "sessions×in flight",
    "ops/s",
    "p50",
    "p90",
    "p99",
    "p99.9",
    "max",
    "errors",
    "client cpu",
    "server cpu",
    "srv µs/op",
    "srv RSS",
    "notes",
  ];
  const cells = [header];
  for (const r of rows) {
    if (r.note !== undefined && r.ops === 0) {
      const why = r.errorSample === undefined ? r.note : `${r.note}: ${r.errorSample}`;
      cells.push([
        r.workload,
        r.target,
        String(r.members),
        ...shapeCells(r),
        ...["-", "-", "-", "-", "-", "-"],
        String(r.errors),
        ...["-", "-", "-", "-"],
        why,
      ]);
      continue;
    }
    const perOp = serverCpuPerOpUs(r);
    const notes = [r.note, formatExtra(r.extra), r.errorSample].filter((s) => s !== undefined && s !== "");
    cells.push([
      r.workload,
      r.target,
      String(r.members),
      ...shapeCells(r),
      formatCount(r.opsPerSec),
      formatUs(r.latency.p50),
      formatUs(r.latency.p90),
      formatUs(r.latency.p99),
      formatUs(r.latency.p999),
      formatUs(r.latency.max),
      String(r.errors),
      `${r.clientCpuS.toFixed(2)}s`,
      r.serverCpuS === null ? "?" : `${r.serverCpuS.toFixed(2)}s`,
      perOp === null ? "?" : perOp.toFixed(1),
      r.serverRssBytes === null ? "?" : `${(r.serverRssBytes / 2 ** 20).toFixed(0)}MiB`,
      notes.join("; "),
    ]);
  }
  return pad(cells);
}

/** a / b, or null when either is missing or b is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a / b;
}

export interface RatioRow {
  workload: string;
  reference: string;
  /** Paddock ops/s ÷ reference ops/s (> 1: Paddock faster). */
  throughput: number | null;
  /** Paddock p99 ÷ reference p99 (< 1: Paddock lower latency). */
  p99: number | null;
  /** Paddock server CPU per op ÷ reference's (< 1: Paddock cheaper). */
  serverCpuPerOp: number | null;
  /** Paddock RSS growth per znode ÷ reference's (memory workload, at rest). */
  bytesPerZnode: number | null;
  /** Paddock live heap per znode after a full GC ÷ reference's (memory workload). */
  liveHeapPerZnode: number | null;
  /** Paddock recovery (or, for ensembles, failover) time ÷ reference's. */
  recovery: number | null;
}

/** For each workload and reference target, Paddock's figure divided by the reference's. */
export function computeRatios(rows: readonly RowResult[], base = "paddock"): RatioRow[] {
  const out: RatioRow[] = [];
  const usable = (r: RowResult | undefined): r is RowResult => r !== undefined && r.ops > 0;
  for (const b of rows) {
    if (b.target !== base) continue;
    for (const ref of rows) {
      if (ref.workload !== b.workload || ref.target === base || ref.target === "noop") continue;
      if (ref.topology !== b.topology || ref.generator !== b.generator || ref.sessions !== b.sessions)
        continue;
      const both = usable(b) && usable(ref);
      out.push({
        workload: b.workload,
        reference: ref.target,
        throughput: both ? ratio(b.opsPerSec, ref.opsPerSec) : null,
        p99: both ? ratio(b.latency.p99, ref.latency.p99) : null,
        serverCpuPerOp: both ? ratio(serverCpuPerOpUs(b), serverCpuPerOpUs(ref)) : null,
        bytesPerZnode: ratio(b.extra.bytesPerZnode, ref.extra.bytesPerZnode),
        liveHeapPerZnode: ratio(b.extra.liveHeapBytesPerZnode, ref.extra.liveHeapBytesPerZnode),
        recovery: ratio(
          b.extra.recoveryMs ?? b.extra.failoverMs,
          ref.extra.recoveryMs ?? ref.extra.failoverMs,
        ),
      });
    }
  }
  return out;
}

export function formatRatios(ratios: readonly RatioRow[], base = "Paddock"): string {
  const f = (x: number | null): string => (x === null ? "n/a" : `${x.toFixed(2)}x`);
  const cells = [
    [
      "workload",
      "ratio",
      "ops/s",
      "p99",
      "srv cpu/op",
      "RSS B/znode",
      "live heap B/znode",
      "recovery/failover",
    ],
  ];
  for (const r of ratios) {
    const name = r.reference === "zookeeper" ? "ZooKeeper" : r.reference === "etcd" ? "etcd" : r.reference;
    cells.push([
      r.workload,
      `${base}/${name}`,
      f(r.throughput),
      f(r.p99),
      f(r.serverCpuPerOp),
      f(r.bytesPerZnode),
      f(r.liveHeapPerZnode),
      f(r.recovery),
    ]);
  }
  return pad(cells);
}

/** Merges serialized histograms from several generator processes. */
export function mergeHistograms(parts: readonly HistogramData[]): Histogram {
  const h = new Histogram();
  for (const p of parts) h.merge(p);
  return h;
}
