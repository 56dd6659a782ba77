/**
 * The one metrics registry, in Prometheus's text format, with ZooKeeper's metric names where
 * ZooKeeper (3.8, PrometheusMetricsProvider) has one and Paddock's own under paddock_.
 *
 * Why prom-client: it is the Node.js client the Prometheus project lists, writes the exposition
 * format (and OpenMetrics) correctly, and its default collectors give the process figures
 * (process_open_fds, process_cpu_seconds_total, nodejs_gc_duration_seconds,
 * nodejs_eventloop_lag_seconds, heap) that ZooKeeper's hotspot collectors give for the JVM.
 *
 * Why nothing is updated per request here: the hot path records into plain number fields
 * (LatencyStats, counters in the pipeline, replica, log and client port); every metric below is
 * a collect-time view of those, computed when Prometheus scrapes. ZooKeeper's latency figures are
 * summaries with quantiles 0.5/0.9/0.99 (readlatency, updatelatency, proposal_latency) or 0.5
 * (fsynctime, snapshottime, election_time); they are written the same way here, the quantiles
 * estimated from LatencyStats' log-linear buckets (within about 19%).
 */
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { requestOpNames } from "../pipeline/admin-view.js";
import type { LatencyStats } from "../util/latency-stats.js";
import type { AdminContext } from "./commands.js";
import { mntrRows } from "./mntr.js";
import { fileDescriptors } from "./server-figures.js";

type Labels = Record<string, string>;

/** A summary whose values are worked out at scrape time from LatencyStats. */
function summary(
  registry: Registry,
  name: string,
  help: string,
  series: () => [Labels, LatencyStats][],
  quantiles: readonly number[],
): void {
  registry.registerMetric({
    name,
    help,
    type: "summary",
    aggregator: "sum",
    get: () => {
      const values: { labels: Labels; value: number; metricName?: string }[] = [];
      for (const [labels, s] of series()) {
        for (const q of quantiles)
          values.push({
            labels: { ...labels, quantile: String(q) },
            value: s.count === 0 ? Number.NaN : s.quantile(q),
          });
        values.push({ metricName: `${name}_count`, labels, value: s.count });
        values.push({ metricName: `${name}_sum`, labels, value: s.sum });
      }
      return { name, help, type: "summary", aggregator: "sum", values };
    },
  } as unknown as Parameters<Registry["registerMetric"]>[0]);
}

/** A gauge read at scrape time. */
function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** A counter read at scrape time (Prometheus's counter type, the value kept elsewhere). */
function counter(registry: Registry, name: string, help: string, read: () => number): void {
  registry.registerMetric({
    name,
    help,
    type: "counter",
    aggregator: "sum",
    get: () => ({ name, help, type: "counter", aggregator: "sum", values: [{ labels: {}, value: read() }] }),
  } as unknown as Parameters<Registry["registerMetric"]>[0]);
}

const FULL = [0.5, 0.9, 0.99] as const;
const MEDIAN = [0.5] as const;

/** Builds the registry over a running member; `context` is asked at every scrape. */
export function buildMetrics(context: () => AdminContext): Registry {
  const registry = new Registry();
  // Node's own figures: GC pauses, event-loop lag, heap, fds, CPU (standard names).
  collectDefaultMetrics({ register: registry });
  const view = () => context().view;
  const figures = () => context().figures;

  gauge(registry, "znode_count", "znode_count", () => view().nodeCount);
  gauge(registry, "watch_count", "watch_count", () => view().watchCount);
  gauge(registry, "ephemerals_count", "ephemerals_count", () => view().ephemeralCount);
  gauge(registry, "approximate_data_size", "approximate_data_size", () => view().approximateDataSize);
  gauge(registry, "outstanding_requests", "outstanding_requests", () => view().outstanding);
  gauge(registry, "global_sessions", "global_sessions", () => view().sessionCount);
  gauge(registry, "num_alive_connections", "num_alive_connections", () => figures().clientConnections());
  gauge(registry, "packets_received", "packets_received", () => view().received);
  gauge(registry, "packets_sent", "packets_sent", () => view().sent);
  gauge(registry, "avg_latency", "avg_latency", () => view().requests.all.avg);
  gauge(registry, "min_latency", "min_latency", () => view().requests.all.min);
  gauge(registry, "max_latency", "max_latency", () => view().requests.all.max);
  gauge(registry, "auth_failed_count", "auth_failed_count", () => view().requests.authFailed);
  gauge(registry, "uptime", "uptime", () => Date.now() - context().startedAt);
  gauge(registry, "open_file_descriptor_count", "open_file_descriptor_count", () => fileDescriptors().open);
  gauge(registry, "max_file_descriptor_count", "max_file_descriptor_count", () => fileDescriptors().max);
  // Leader-only in ZooKeeper; 0 elsewhere here, so a query need not guard for absence.
  const mntrNumber = (key: string) => () => {
    const row = mntrRows(context()).find(([k]) => k === key);
    return typeof row?.[1] === "number" ? row[1] : 0;
  };
  gauge(registry, "quorum_size", "quorum_size", mntrNumber("quorum_size"));
  gauge(registry, "synced_followers", "synced_followers", mntrNumber("synced_followers"));
  gauge(registry, "synced_observers", "synced_observers", mntrNumber("synced_observers"));
  gauge(registry, "learners", "learners", mntrNumber("learners"));
  gauge(registry, "leader_uptime", "leader_uptime", mntrNumber("leader_uptime"));
  counter(registry, "proposal_count", "proposal_count", () => view().replica.stats.proposalCount);
  counter(registry, "commit_count", "commit_count", () => view().replica.stats.commitCount);
  counter(registry, "looking_count", "looking_count", () => view().replica.stats.lookingCount);
  counter(registry, "connection_rejected", "connection_rejected", () =>
    figures().clientConnectionsRejected(),
  );
  counter(registry, "bytes_received_count", "bytes_received_count", () => figures().clientBytes().received);
  counter(registry, "response_bytes", "response_bytes", () => figures().clientBytes().sent);
  counter(registry, "unrecoverable_error_count", "unrecoverable_error_count", () =>
    view().storageFailed ? 1 : 0,
  );

  summary(registry, "readlatency", "Read request latency", () => [[{}, view().requests.read]], FULL);
  summary(registry, "updatelatency", "Update request latency", () => [[{}, view().requests.update]], FULL);
  summary(
    registry,
    "proposal_latency",
    "Proposal latency",
    () => [[{}, view().replica.stats.proposalLatency]],
    FULL,
  );
  summary(registry, "fsynctime", "fsynctime", () => [[{}, figures().fsyncTime]], MEDIAN);
  summary(registry, "snapshottime", "snapshottime", () => [[{}, figures().snapshotTime]], MEDIAN);
  summary(
    registry,
    "election_time",
    "election_time",
    () => [[{}, view().replica.stats.electionTime]],
    MEDIAN,
  );

  // Paddock's own.
  summary(
    registry,
    "paddock_request_latency_ms",
    "Request latency by op, arrival to reply, ms",
    () => {
      const byOp = view().requests.byOp;
      return requestOpNames.filter((op) => byOp[op].count > 0).map((op) => [{ op }, byOp[op]]);
    },
    FULL,
  );
  registry.registerMetric({
    name: "paddock_learner_lag",
    help: "Transactions a learner is behind the leader's log (-1 while syncing); leader only",
    type: "gauge",
    aggregator: "sum",
    get: () => {
      const r = view().replica;
      const learners = r.role === "leading" ? r.learners() : [];
      const values = learners.map((l) => ({
        labels: { learner: String(l.id), observer: String(l.observer) },
        value: l.synced ? Math.max(0, r.lastLoggedZxid - l.ackedZxid) : -1,
      }));
      return { name: "paddock_learner_lag", help: "", type: "gauge", aggregator: "sum", values };
    },
  } as unknown as Parameters<Registry["registerMetric"]>[0]);
  gauge(
    registry,
    "paddock_proposals_in_flight",
    "Proposals not yet committed",
    () => view().replica.proposalsInFlight,
  );
  gauge(registry, "paddock_epoch", "Current epoch", () => view().replica.epoch);
  gauge(registry, "paddock_last_zxid", "Last applied zxid", () => view().zxid);
  gauge(registry, "paddock_storage_failed", "1 once storage failed (writes stop)", () =>
    view().storageFailed ? 1 : 0,
  );
  counter(
    registry,
    "paddock_log_fsyncs",
    "Group commits (write + fdatasync)",
    () => context().logStats().fsyncs,
  );
  counter(registry, "paddock_log_records", "Records written to the log", () => context().logStats().records);
  counter(
    registry,
    "paddock_peer_bytes_received",
    "Bytes received from peers",
    () => figures().peerBytes()?.received ?? 0,
  );
  counter(registry, "paddock_peer_bytes_sent", "Bytes sent to peers", () => figures().peerBytes()?.sent ?? 0);
  counter(
    registry,
    "paddock_peer_messages_received",
    "Messages received from peers",
    () => figures().peerBytes()?.receivedMessages ?? 0,
  );
  counter(
    registry,
    "paddock_peer_messages_sent",
    "Messages sent to peers",
    () => figures().peerBytes()?.sentMessages ?? 0,
  );
  return registry;
}
