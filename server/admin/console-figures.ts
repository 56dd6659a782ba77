/**
 * What the web console shows besides the tree, all read through the admin commands and the
 * read-only AdminView: the ensemble (members, roles, zxid, lag, health), sessions and their
 * ephemerals, and a few key metrics sampled over the last minutes.
 */
import { zxidHex } from "../util/zxid.js";
import { runAdminCommand } from "./admin-commands.js";
import type { AdminContext } from "./commands.js";
import type { EnsembleMember, EnsembleView, MetricSample, SessionFigures } from "./console-wire.js";
import { serverState } from "./mntr.js";

export interface EnsembleFigures extends EnsembleView {
  /** The admin commands this view was built from. */
  readonly votingView: unknown;
  readonly leader: unknown;
}

const counterMask = 0xffff_ffff;
const epochOf = (zxid: number): number => Math.floor(zxid / 2 ** 32);

/**
 * Every member as the quorum sees it, on any member: the leader's report of its learners (its own
 * view on the leader, the last one it sent on a learner; replica/leader-report.ts). A member the
 * leader does not count as a learner is down. Without a leader (looking) only the peer streams
 * tell: a member this one cannot reach is down, a reachable one unknown.
 */
export function ensembleFigures(ctx: AdminContext): EnsembleFigures {
  const r = ctx.view.replica;
  const state = serverState(ctx);
  const votingView = runAdminCommand("voting_view", ctx).body;
  const leader = runAdminCommand("leader", ctx).body;
  const report = ctx.ensembleSize > 1 ? r.leaderReport() : undefined;
  const lagOf = (zxid: number): number | undefined =>
    report !== undefined && epochOf(zxid) === epochOf(report.lastZxid)
      ? (report.lastZxid & counterMask) - (zxid & counterMask)
      : undefined;
  const members: EnsembleMember[] = ctx.figures.members.map((m) => {
    const address = `${m.host}:${m.quorumPort}:${m.electionPort}`;
    const base = { id: m.id, address, observer: m.observer, self: m.id === r.serverId };
    const learner = report?.learners.find((x) => x.id === m.id);
    if (m.id === r.serverId) {
      const zxid = zxidHex(ctx.view.zxid);
      return { ...base, role: state, health: "up", zxid, lag: learner && lagOf(learner.ackedZxid) };
    }
    if (report === undefined) {
      const health = ctx.figures.peerConnected(m.id) ? "unknown" : "down";
      return { ...base, role: "", health, zxid: undefined, lag: undefined };
    }
    if (m.id === report.leaderId) {
      return { ...base, role: "leader", health: "up", zxid: zxidHex(report.lastZxid), lag: 0 };
    }
    if (learner === undefined) return { ...base, role: "", health: "down", zxid: undefined, lag: undefined };
    return {
      ...base,
      role: learner.observer ? "observer" : "follower",
      health: learner.synced ? "up" : "syncing",
      zxid: zxidHex(learner.ackedZxid),
      lag: lagOf(learner.ackedZxid),
    };
  });
  return {
    serverId: r.serverId,
    state,
    leaderId: r.leaderId,
    epoch: r.epoch,
    zxid: zxidHex(ctx.view.zxid),
    members,
    votingView,
    leader,
  };
}

/** Every session in the ensemble (the session table is replicated) and its ephemerals. */
export function sessionFigures(ctx: AdminContext): SessionFigures[] {
  const local = new Map(ctx.view.connections().map((c) => [c.sessionId, c.address]));
  return ctx.view
    .sessions()
    .map((s) => ({
      id: `0x${s.id.toString(16)}`,
      timeoutMs: s.timeoutMs,
      address: local.get(s.id),
      ephemerals: [...ctx.view.ephemeralsOf(s.id)].sort(),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Key metrics every `intervalMs`, the last `samplesMax` kept (10 minutes at 5 s). */
export class MetricHistory {
  private readonly samples: MetricSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private lastReceived: { t: number; received: number } | undefined;

  constructor(
    private readonly context: () => AdminContext,
    readonly intervalMs = 5_000,
    private readonly samplesMax = 120,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** The kept samples and one taken now. */
  recent(): MetricSample[] {
    return [...this.samples, this.take(false)];
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    this.samples.push(this.take(true));
    if (this.samples.length > this.samplesMax) this.samples.shift();
  }

  private take(keep: boolean): MetricSample {
    const v = this.context().view;
    const t = Date.now();
    const previous = this.lastReceived;
    const seconds = previous === undefined ? 0 : (t - previous.t) / 1000;
    const rate = previous === undefined || seconds <= 0 ? 0 : (v.received - previous.received) / seconds;
    if (keep) this.lastReceived = { t, received: v.received };
    return {
      t,
      znodes: v.nodeCount,
      watches: v.watchCount,
      sessions: v.sessionCount,
      outstanding: v.outstanding,
      requestsPerSecond: Math.round(rate * 10) / 10,
      latencyAvgMs: Math.round(v.requests.all.avg * 1000) / 1000,
    };
  }
}
