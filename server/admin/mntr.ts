import type { LatencyStats } from "../util/latency-stats.js";
import { zxidHex } from "../util/zxid.js";
import type { AdminContext } from "./commands.js";
import { diskMntrRows } from "./disk-figures.js";
import { fileDescriptors } from "./server-figures.js";

export type MntrValue = string | number | boolean;

/** ZooKeeper's server_state: standalone for an ensemble of one, looking until synchronised. */
export function serverState(ctx: AdminContext): string {
  const replica = ctx.view.replica;
  if (!replica.broadcasting) return "looking";
  const role = replica.role;
  if (role === "leading") return ctx.ensembleSize > 1 ? "leader" : "standalone";
  return role === "following" ? "follower" : role === "observing" ? "observer" : role;
}

/** ZooKeeper's summary set: avg_, min_, max_, cnt_, sum_ (and p50..p999 for the latency ones). */
function summary(rows: [string, MntrValue][], name: string, s: LatencyStats, quantiles: boolean): void {
  rows.push(
    [`avg_${name}`, round(s.avg)],
    [`min_${name}`, round(s.min)],
    [`max_${name}`, round(s.max)],
    [`cnt_${name}`, s.count],
    [`sum_${name}`, round(s.sum)],
  );
  if (quantiles) {
    rows.push(
      [`p50_${name}`, round(s.quantile(0.5))],
      [`p95_${name}`, round(s.quantile(0.95))],
      [`p99_${name}`, round(s.quantile(0.99))],
      [`p999_${name}`, round(s.quantile(0.999))],
    );
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * mntr's keys, in ZooKeeper's names (without the zk_ prefix the four-letter word adds) where
 * ZooKeeper 3.8 has one for the role, then Paddock's own under paddock_. The keys ZooKeeper shows
 * and Paddock leaves out are in `mntrKeysLeftOut`, each with why (docs/OPERATIONS.md lists them).
 */
export function mntrRows(ctx: AdminContext): [string, MntrValue][] {
  const v = ctx.view;
  const f = ctx.figures;
  const req = v.requests;
  const rs = v.replica.stats;
  const fds = fileDescriptors();
  const client = f.clientBytes();
  const state = serverState(ctx);
  const rows: [string, MntrValue][] = [
    ["version", `paddock-${ctx.version}`],
    ["server_state", state],
    ["ephemerals_count", v.ephemeralCount],
    ["num_alive_connections", f.clientConnections()],
    ["avg_latency", round(req.all.avg)],
    ["outstanding_requests", v.outstanding],
    ["znode_count", v.nodeCount],
    ["global_sessions", v.sessionCount],
    ["local_sessions", v.localSessionCount],
    ["packets_sent", v.sent],
    ["packets_received", v.received],
    ["watch_count", v.watchCount],
    ["auth_failed_count", req.authFailed],
    ["connection_revalidate_count", req.connectionRevalidations],
    ["revalidate_count", req.revalidations],
    ["min_latency", round(req.all.min)],
    ["max_latency", round(req.all.max)],
    ["max_file_descriptor_count", fds.max],
    ["approximate_data_size", v.approximateDataSize],
    ["open_file_descriptor_count", fds.open],
    ["uptime", Date.now() - ctx.startedAt],
    ["proposal_count", rs.proposalCount],
    ["connection_rejected", f.clientConnectionsRejected()],
    ["looking_count", rs.lookingCount],
    ["bytes_received_count", client.received],
    ["response_bytes", client.sent],
    ["commit_count", rs.commitCount],
    ["diff_count", rs.diffCount],
    ["snap_count", rs.snapCount],
    ["unrecoverable_error_count", v.storageFailed ? 1 : 0],
  ];
  summary(rows, "fsynctime", f.fsyncTime, false);
  summary(rows, "snapshottime", f.snapshotTime, false);
  summary(rows, "election_time", rs.electionTime, false);
  summary(rows, "updatelatency", req.update, true);
  summary(rows, "readlatency", req.read, true);
  summary(rows, "proposal_latency", rs.proposalLatency, true);
  if (state === "leader") {
    const learners = v.replica.learners();
    const now = performance.now();
    rows.push(
      ["peer_state", "leading - broadcast"],
      ["synced_followers", learners.filter((l) => !l.observer && l.synced).length],
      ["synced_non_voting_followers", 0],
      ["synced_observers", learners.filter((l) => l.observer && l.synced).length],
      ["learners", learners.length],
      ["quorum_size", f.quorumSize],
      ["leader_uptime", rs.leadingSinceMs < 0 ? 0 : Math.round(now - rs.leadingSinceMs)],
    );
  } else if (state === "follower" || state === "observer") {
    rows.push(["peer_state", `${state === "follower" ? "following" : "observing"} - broadcast`]);
  }
  rows.push(...paddockRows(ctx), ...diskMntrRows(ctx));
  return rows;
}

/** Paddock's own figures, under paddock_. */
function paddockRows(ctx: AdminContext): [string, MntrValue][] {
  const v = ctx.view;
  const rows: [string, MntrValue][] = [
    ["paddock_last_zxid", zxidHex(v.zxid)],
    ["paddock_proposals_in_flight", v.replica.proposalsInFlight],
    ["paddock_epoch", v.replica.epoch],
    ["paddock_leader_id", v.replica.leaderId],
    ["paddock_last_logged_zxid", zxidHex(v.replica.lastLoggedZxid)],
  ];
  if (v.replica.role === "leading") {
    const learners = v.replica.learners();
    rows.push(["paddock_followers", learners.filter((l) => !l.observer).length]);
    for (const l of learners) {
      const lag = Math.max(0, v.replica.lastLoggedZxid - l.ackedZxid);
      rows.push([`paddock_learner_${l.id}_lag`, l.synced ? lag : -1]);
    }
  }
  const log = ctx.logStats();
  const peers = ctx.figures.peerBytes();
  rows.push(
    ["paddock_trunc_count", v.replica.stats.truncCount],
    ["paddock_storage_failed", v.storageFailed ? 1 : 0],
    ["paddock_log_fsyncs", log.fsyncs],
    ["paddock_log_records", log.records],
    ["paddock_log_records_per_fsync_avg", round(log.recordsPerFsyncAvg)],
    ["paddock_peer_bytes_received", peers?.received ?? 0],
    ["paddock_peer_bytes_sent", peers?.sent ?? 0],
  );
  const w = v.watchStreams;
  rows.push(
    ["paddock_watch_streams", w.open],
    ["paddock_watch_stream_changes_sent", w.stats.changesSent],
    ["paddock_watch_stream_messages_sent", w.stats.messagesSent],
    ["paddock_watch_streams_canceled_compacted", w.stats.canceledCompacted],
    ["paddock_watch_streams_canceled_slow_consumer", w.stats.canceledSlowConsumer],
    ["paddock_watch_streams_canceled_member_unavailable", w.stats.canceledMemberUnavailable],
    ["paddock_watch_history_bytes", w.historyBytes],
    ["paddock_watch_history_batches", w.historyBatches],
    ["paddock_watch_history_oldest_zxid", zxidHex(w.historyOldestZxid)],
  );
  return rows;
}

/**
 * Keys ZooKeeper 3.8's mntr shows (standalone, leader or follower) that Paddock leaves out, with
 * why. A family name stands for its summary set (avg_, min_, max_, cnt_, sum_ and p50_..p999_).
 * test/e2e/admin-differential.test.ts compares against a real ZooKeeper: every key it shows is
 * either in mntrRows or here; docs/OPERATIONS.md lists this table.
 */
export const mntrKeysLeftOut: Readonly<Record<string, string>> = {
  non_mtls_remote_conn_count: "no per-connection mTLS accounting yet",
  non_mtls_local_conn_count: "no per-connection mTLS accounting yet",
  outstanding_tls_handshake: "TLS handshakes are not counted",
  tls_handshake_exceeded: "TLS handshakes are not counted",
  last_client_response_size: "response sizes are not tracked per response (hot path)",
  min_client_response_size: "response sizes are not tracked per response (hot path)",
  max_client_response_size: "response sizes are not tracked per response (hot path)",
  connection_drop_probability: "no connection throttling (ZooKeeper's connection token bucket)",
  connection_drop_count: "no connection throttling",
  connection_token_deficit: "no connection throttling",
  connection_request_count: "no connection throttling",
  watch_bytes: "watch memory is not measured",
  outstanding_changes_removed: "Paddock's outstanding changes are not a separate queue",
  outstanding_changes_queued: "Paddock's outstanding changes are not a separate queue",
  throttled_ops: "no request throttler (outstanding limits refuse instead)",
  request_throttle_wait_count: "no request throttler",
  request_throttle_queue_time_ms: "no request throttler",
  stale_requests_dropped: "no request throttler",
  stale_requests: "no request throttler",
  large_requests_rejected: "large requests are refused by jute.maxbuffer at the door, not counted",
  insecure_admin_count: "the admin server has no TLS variant to compare with",
  cnxn_closed_without_zk_server_running: "a connection is accepted only while the server runs",
  sessionless_connections_expired: "connections that never connect are closed by the door, not counted",
  dead_watchers_queued: "watches are removed with their session at once (no dead-watcher cleaner)",
  dead_watchers_cleared: "no dead-watcher cleaner",
  dead_watchers_cleaner_latency: "no dead-watcher cleaner",
  add_dead_watcher_stall_time: "no dead-watcher cleaner",
  learner_proposal_received_count: "not counted on learners yet",
  learner_commit_received_count: "not counted on learners yet",
  digest_mismatches_count: "digests are checked at SNAP install, a mismatch fails the install",
  response_packet_cache_hits: "no response cache",
  response_packet_cache_misses: "no response cache",
  response_packet_get_children_cache_hits: "no response cache",
  response_packet_get_children_cache_misses: "no response cache",
  ensemble_auth_success: "quorum authentication is mutual TLS, not SASL",
  ensemble_auth_fail: "quorum authentication is mutual TLS, not SASL",
  ensemble_auth_skip: "quorum authentication is mutual TLS, not SASL",
  prep_processor_request_queued: "no processor queues: the chain runs in one event-loop turn",
  sync_processor_request_queued: "no processor queues",
  request_commit_queued: "no processor queues",
  requests_not_forwarded_to_commit_processor: "no commit processor",
  skip_learner_request_to_next_processor_count: "no learner request processor",
  stale_replies: "no commit processor",
  quit_leading_due_to_disloyal_voter: "not tracked",
  stale_sessions_expired: "session expiry is not counted yet",
  unsuccessful_handshake: "handshake failures are not counted",
  socket_closing_time: "no socket-closing thread",
  proposal_process_time: "ZooKeeper processor timing (one chain here)",
  leader_unavailable_time: "not tracked",
  unavailable_time: "not tracked",
  node_created_watch_count: "watchers fired per event are not summarised",
  node_deleted_watch_count: "watchers fired per event are not summarised",
  node_changed_watch_count: "watchers fired per event are not summarised",
  node_children_watch_count: "watchers fired per event are not summarised",
  session_queues_drained: "ZooKeeper commit-processor figure",
  write_commit_proc_req_queued: "no commit processor",
  read_commit_proc_req_queued: "no commit processor",
  commit_commit_proc_req_queued: "no commit processor",
  write_commit_proc_issued: "no commit processor",
  read_commit_proc_issued: "no commit processor",
  concurrent_request_processing_in_commit_processor: "no commit processor",
  write_batch_time_in_commit_processor: "no commit processor",
  time_waiting_empty_pool_in_commit_processor_read_ms: "no commit processor",
  read_commitproc_time_ms: "no commit processor",
  write_commitproc_time_ms: "no commit processor",
  commit_process_time: "no commit processor",
  om_commit_process_time_ms: "no commit processor",
  om_proposal_process_time_ms: "no commit processor",
  startup_txns_load_time: "startup is logged, not summarised",
  startup_txns_loaded: "startup is logged, not summarised",
  startup_snap_load_time: "startup is logged, not summarised",
  dbinittime: "startup is logged, not summarised",
  sync_processor_queue_size: "no sync processor queue (group commit in the log worker)",
  sync_processor_batch_size: "see paddock_log_records_per_fsync_avg",
  sync_processor_queue_time_ms: "no sync processor queue",
  sync_processor_queue_flush_time_ms: "no sync processor queue",
  sync_processor_queue_and_flush_time_ms: "no sync processor queue",
  sync_process_time: "no sync processor queue",
  prep_processor_queue_size: "no processor queues",
  prep_processor_queue_time_ms: "no processor queues",
  prep_process_time: "no processor queues",
  close_session_prep_time: "no processor queues",
  learner_request_processor_queue_size: "no learner request processor",
  inflight_snap_count: "syncs in progress are not counted (snap_count counts those served)",
  inflight_diff_count: "syncs in progress are not counted (diff_count counts those served)",
  follower_sync_time: "sync time is part of election_time",
  observer_sync_time: "sync time is part of election_time",
  reads_issued_from_session_queue: "ZooKeeper commit-processor figure",
  reads_after_write_in_session_queue: "ZooKeeper commit-processor figure",
  requests_in_session_queue: "ZooKeeper commit-processor figure",
  pending_session_queue_size: "ZooKeeper commit-processor figure",
  netty_queued_buffer_capacity: "no Netty",
  jvm_pause_time_ms: "no JVM: GC pauses are nodejs_gc_duration_seconds in /metrics",
  local_write_committed_time_ms: "ZooKeeper processor timing",
  server_write_committed_time_ms: "ZooKeeper processor timing",
  read_final_proc_time_ms: "ZooKeeper processor timing",
  write_final_proc_time_ms: "ZooKeeper processor timing",
  quorum_ack_latency: "included in proposal_latency",
  commit_propagation_latency: "not measured across members",
  propagation_latency: "not measured across members",
  proposal_ack_creation_latency: "not measured",
  pending_syncs: "sync is a barrier proposal here, not a pending queue",
  last_proposal_size: "proposal sizes are not tracked",
  min_proposal_size: "proposal sizes are not tracked",
  max_proposal_size: "proposal sizes are not tracked",
  zookeeper_write_per_namespace: "no per-namespace figures",
  read_per_namespace: "no per-namespace figures",
  write_per_namespace: "no per-namespace figures",
  quota_bytes_usage_per_namespace: "quotas are not enforced, so not reported",
  quota_count_usage_per_namespace: "quotas are not enforced, so not reported",
  quota_bytes_limit_per_namespace: "quotas are not enforced, so not reported",
  quota_count_limit_per_namespace: "quotas are not enforced, so not reported",
  quota_exceeded_error_per_namespace: "quotas are not enforced, so not reported",
  ack_latency: "per-follower ack latency is not measured (see paddock_learner_lag)",
  learner_handler_qp_size: "no learner handler queues",
  learner_handler_qp_time_ms: "no learner handler queues",
};
