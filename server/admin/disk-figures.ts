import type { Registry } from "prom-client";
import type { AdminContext } from "./commands.js";
import type { DiskFigure } from "./server-figures.js";

/**
 * The disk floor and the slow-fsync count as admin figures: mntr rows, Prometheus metrics and the
 * `disk` command. A member below its floor is read-only in ZooKeeper's sense (isro answers "ro").
 */
export function diskLow(ctx: AdminContext): boolean {
  return ctx.figures.disk().some((d) => d.low);
}

/** The `disk` command's answer: each directory's free space and floor. */
export function diskCommand(ctx: AdminContext): Record<string, unknown> {
  const dirs = ctx.figures.disk();
  return {
    disk_low: dirs.some((d) => d.low),
    dirs: dirs.map((d) => ({
      name: d.name,
      path: d.path,
      free_bytes: d.freeBytes,
      total_bytes: d.totalBytes,
      floor_bytes: d.floorBytes,
      low: d.low,
    })),
  };
}

/** mntr rows under paddock_ (one per directory, keyed by its zoo.cfg name). */
export function diskMntrRows(ctx: AdminContext): [string, number][] {
  const dirs = ctx.figures.disk();
  const key = (d: DiskFigure): string => (d.name === "dataDir" ? "data_dir" : "data_log_dir");
  return [
    ["paddock_disk_low", dirs.some((d) => d.low) ? 1 : 0],
    ...dirs.map((d): [string, number] => [`paddock_${key(d)}_free_bytes`, d.freeBytes]),
    ...dirs.map((d): [string, number] => [`paddock_${key(d)}_floor_bytes`, d.floorBytes]),
    // ZooKeeper counts it in srvr's server_stats only (fsync_threshold_exceed_count), not in mntr.
    ["paddock_fsync_threshold_exceed_count", ctx.logStats().fsyncThresholdExceeded],
  ];
}

type Sample = { labels: Record<string, string>; value: number };

function register(
  registry: Registry,
  name: string,
  help: string,
  type: string,
  values: () => Sample[],
): void {
  registry.registerMetric({
    name,
    help,
    type,
    aggregator: "sum",
    get: () => ({ name, help, type, aggregator: "sum", values: values() }),
  } as unknown as Parameters<Registry["registerMetric"]>[0]);
}

/** Prometheus metrics, read at scrape time. */
export function registerDiskMetrics(registry: Registry, context: () => AdminContext): void {
  const dirs = () => context().figures.disk();
  register(
    registry,
    "paddock_disk_free_bytes",
    "free bytes of dataDir's and dataLogDir's filesystems (label dir), as last read; -1 unreadable",
    "gauge",
    () => dirs().map((d) => ({ labels: { dir: d.name }, value: d.freeBytes })),
  );
  register(
    registry,
    "paddock_disk_floor_bytes",
    "the free-space floor per directory (label dir): below it writes are refused",
    "gauge",
    () => dirs().map((d) => ({ labels: { dir: d.name }, value: d.floorBytes })),
  );
  register(
    registry,
    "paddock_disk_low",
    "1 while a data directory is below its floor (writes refused, reads served)",
    "gauge",
    () => [{ labels: {}, value: dirs().some((d) => d.low) ? 1 : 0 }],
  );
  register(
    registry,
    "paddock_fsync_threshold_exceed_count",
    "group commits whose write plus fdatasync took longer than fsync.warningthresholdms",
    "counter",
    () => [{ labels: {}, value: context().logStats().fsyncThresholdExceeded }],
  );
}
