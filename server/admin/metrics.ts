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
import { type AdminView, requestOpNames } from "../pipeline/admin-view.js";
import type { LatencyStats } from "../util/latency-stats.js";
import type { AdminContext } from "./commands.js";
import { registerDiskMetrics } from "./disk-figures.js";
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
const learnerLagHelp =
  "leader: transactions each learner is behind its log (labels learner, observer; -1 while syncing)";
const MEDIAN = [0.5] as const;

/** Builds the registry over a running member; `context` is asked at every scrape. */
export function buildMetrics(context: () => AdminContext): Registry {
  const registry = new Registry();
  // Node's own figures: GC pauses, event-loop lag, heap, fds, CPU (standard names).
  collectDefaultMetrics({ register: registry });
  const view = () => context().view;
  const figures = () => context().figures;

  // ZooKeeper's provider repeats the name as the help; here it says what the figure is (the
  // README's metric table is generated from these, scripts/readme-metrics.ts).
  gauge(registry, "znode_count", "znodes in the tree", () => view().nodeCount);
  gauge(registry, "watch_count", "watches registered", () => view().watchCount);
  gauge(registry, "ephemerals_count", "ephemeral znodes", () => view().ephemeralCount);
  gauge(
    registry,
    "approximate_data_size",
    "path plus data bytes over every znode",
    () => view().approximateDataSize,
  );
  gauge(registry, "outstanding_requests", "requests admitted and not answered", () => view().outstanding);
  gauge(registry, "global_sessions", "sessions in the ensemble's table", () => view().sessionCount);
  gauge(
    registry,
    "local_sessions",
    "sessions local to this member (localSessionsEnabled), in no transaction",
    () => view().localSessionCount,
  );
  gauge(
    registry,
    "num_alive_connections",
    "client TCP connections on the client port and secureClientPort",
    () => figures().clientConnections(),
  );
  gauge(registry, "packets_received", "requests received", () => view().received);
  gauge(registry, "packets_sent", "replies sent", () => view().sent);
  gauge(
    registry,
    "avg_latency",
    "request latency over every request, average, ms",
    () => view().requests.all.avg,
  );
  gauge(
    registry,
    "min_latency",
    "request latency over every request, minimum, ms",
    () => view().requests.all.min,
  );
  gauge(
    registry,
    "max_latency",
    "request latency over every request, maximum, ms",
    () => view().requests.all.max,
  );
  gauge(registry, "auth_failed_count", "refused addAuth credentials", () => view().requests.authFailed);
  counter(
    registry,
    "connection_revalidate_count",
    "resumes of an existing session on this member",
    () => view().requests.connectionRevalidations,
  );
  counter(
    registry,
    "revalidate_count",
    "other members' session resumes checked by this leader",
    () => view().requests.revalidations,
  );
  gauge(registry, "uptime", "ms since start", () => Date.now() - context().startedAt);
  gauge(registry, "open_file_descriptor_count", "the process's open fds", () => fileDescriptors().open);
  gauge(registry, "max_file_descriptor_count", "the process's fd limit", () => fileDescriptors().max);
  // Leader-only in ZooKeeper; 0 elsewhere here, so a query need not guard for absence.
  const mntrNumber = (key: string) => () => {
    const row = mntrRows(context()).find(([k]) => k === key);
    return typeof row?.[1] === "number" ? row[1] : 0;
  };
  gauge(registry, "quorum_size", "voting members (leader; 0 elsewhere)", mntrNumber("quorum_size"));
  gauge(
    registry,
    "synced_followers",
    "followers synced with the leader (leader; 0 elsewhere)",
    mntrNumber("synced_followers"),
  );
  gauge(
    registry,
    "synced_observers",
    "observers synced with the leader (leader; 0 elsewhere)",
    mntrNumber("synced_observers"),
  );
  gauge(registry, "learners", "the leader's learners, synced or not (0 elsewhere)", mntrNumber("learners"));
  gauge(
    registry,
    "leader_uptime",
    "ms since this member became leader (0 elsewhere)",
    mntrNumber("leader_uptime"),
  );
  const stats = () => view().replica.stats;
  counter(registry, "proposal_count", "proposals made while leading", () => stats().proposalCount);
  counter(registry, "commit_count", "transactions committed on this member", () => stats().commitCount);
  counter(registry, "looking_count", "times this member started an election", () => stats().lookingCount);
  counter(registry, "diff_count", "learner syncs served by DIFF or TRUNC as leader", () => stats().diffCount);
  counter(registry, "snap_count", "learner syncs served by SNAP as leader", () => stats().snapCount);
  counter(registry, "connection_rejected", "connections refused over maxClientCnxns", () =>
    figures().clientConnectionsRejected(),
  );
  counter(
    registry,
    "bytes_received_count",
    "bytes in on both client ports (TLS records included)",
    () => figures().clientBytes().received,
  );
  counter(
    registry,
    "response_bytes",
    "bytes out on both client ports (TLS records included)",
    () => figures().clientBytes().sent,
  );
  counter(registry, "unrecoverable_error_count", "1 once storage failed", () =>
    view().storageFailed ? 1 : 0,
  );

  const readLatency = "read request latency, arrival to reply, ms";
  summary(registry, "readlatency", readLatency, () => [[{}, view().requests.read]], FULL);
  const updateLatency = "write request latency, arrival to reply, ms";
  summary(registry, "updatelatency", updateLatency, () => [[{}, view().requests.update]], FULL);
  summary(
    registry,
    "proposal_latency",
    "leader: proposed until committed, ms",
    () => [[{}, stats().proposalLatency]],
    FULL,
  );
  const fsyncTime = "each group commit's write plus fdatasync, ms";
  summary(registry, "fsynctime", fsyncTime, () => [[{}, figures().fsyncTime]], MEDIAN);
  const snapshotTime = "each snapshot's walk, encode and write, ms";
  summary(registry, "snapshottime", snapshotTime, () => [[{}, figures().snapshotTime]], MEDIAN);
  summary(
    registry,
    "election_time",
    "looking until serving again, ms",
    () => [[{}, stats().electionTime]],
    MEDIAN,
  );

  // Paddock's own.
  summary(
    registry,
    "paddock_request_latency_ms",
    "request latency per op (label op: create, getData, …), arrival to reply, ms",
    () => {
      const byOp = view().requests.byOp;
      return requestOpNames.filter((op) => byOp[op].count > 0).map((op) => [{ op }, byOp[op]]);
    },
    FULL,
  );
  registry.registerMetric({
    name: "paddock_learner_lag",
    help: learnerLagHelp,
    type: "gauge",
    aggregator: "sum",
    get: () => {
      const r = view().replica;
      const learners = r.role === "leading" ? r.learners() : [];
      const values = learners.map((l) => ({
        labels: { learner: String(l.id), observer: String(l.observer) },
        value: l.synced ? Math.max(0, r.lastLoggedZxid - l.ackedZxid) : -1,
      }));
      return { name: "paddock_learner_lag", help: learnerLagHelp, type: "gauge", aggregator: "sum", values };
    },
  } as unknown as Parameters<Registry["registerMetric"]>[0]);
  gauge(
    registry,
    "paddock_proposals_in_flight",
    "proposals not yet committed",
    () => view().replica.proposalsInFlight,
  );
  gauge(registry, "paddock_epoch", "current epoch", () => view().replica.epoch);
  gauge(registry, "paddock_last_zxid", "last applied zxid", () => view().zxid);
  gauge(registry, "paddock_storage_failed", "1 once storage failed (writes stop)", () =>
    view().storageFailed ? 1 : 0,
  );
  registerDiskMetrics(registry, context);
  counter(
    registry,
    "paddock_trunc_count",
    "learner syncs served by TRUNC as leader (also in diff_count)",
    () => stats().truncCount,
  );
  counter(
    registry,
    "paddock_log_fsyncs",
    "group commits (write + fdatasync)",
    () => context().logStats().fsyncs,
  );
  counter(registry, "paddock_log_records", "records written to the log", () => context().logStats().records);
  counter(
    registry,
    "paddock_peer_bytes_received",
    "bytes received from peers",
    () => figures().peerBytes()?.received ?? 0,
  );
  counter(registry, "paddock_peer_bytes_sent", "bytes sent to peers", () => figures().peerBytes()?.sent ?? 0);
  registerWatchStreamMetrics(registry, () => view().watchStreams);
  counter(
    registry,
    "paddock_peer_messages_received",
    "messages received from peers",
    () => figures().peerBytes()?.receivedMessages ?? 0,
  );
  counter(
    registry,
    "paddock_peer_messages_sent",
    "messages sent to peers",
    () => figures().peerBytes()?.sentMessages ?? 0,
  );
  return registry;
}

const canceledHelp =
  "watch streams the server ended, by reason (label reason: compacted, slow_consumer, member_unavailable)";

/** The resumable watch streams (WatchService/Watch) and the change history they read. */
function registerWatchStreamMetrics(registry: Registry, streams: () => AdminView["watchStreams"]): void {
  gauge(registry, "paddock_watch_streams", "watch streams open on this member", () => streams().open);
  counter(
    registry,
    "paddock_watch_stream_changes_sent",
    "changes sent on watch streams (one per node per transaction per stream)",
    () => streams().stats.changesSent,
  );
  counter(
    registry,
    "paddock_watch_stream_messages_sent",
    "WatchChanges messages sent (a fragmented transaction counts each fragment)",
    () => streams().stats.messagesSent,
  );
  registry.registerMetric({
    name: "paddock_watch_streams_canceled",
    help: canceledHelp,
    type: "counter",
    aggregator: "sum",
    get: () => {
      const s = streams().stats;
      const values = [
        { labels: { reason: "compacted" }, value: s.canceledCompacted },
        { labels: { reason: "slow_consumer" }, value: s.canceledSlowConsumer },
        { labels: { reason: "member_unavailable" }, value: s.canceledMemberUnavailable },
      ];
      return {
        name: "paddock_watch_streams_canceled",
        help: canceledHelp,
        type: "counter",
        aggregator: "sum",
        values,
      };
    },
  } as unknown as Parameters<Registry["registerMetric"]>[0]);
  gauge(
    registry,
    "paddock_watch_history_bytes",
    "bytes the watch history holds (counted against watchHistorySize)",
    () => streams().historyBytes,
  );
  gauge(
    registry,
    "paddock_watch_history_batches",
    "transactions the watch history holds",
    () => streams().historyBatches,
  );
  gauge(
    registry,
    "paddock_watch_history_oldest_zxid",
    "the watch history holds every change after this zxid (a stream may start from it)",
    () => streams().historyOldestZxid,
  );
}
