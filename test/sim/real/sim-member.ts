import type { VirtualTimeScheduler } from "rxjs";
import type { Entry } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { snapshotInput } from "../../../server/main/durability.js";
import { encodeSnapshot, parseSnapshot } from "../../../server/persistence/snapshot.js";
import type { SnapshotNodeFields } from "../../../server/persistence/snapshot-node-codec.js";
import { Pipeline } from "../../../server/pipeline/pipeline.js";
import { LogHistory } from "../../../server/replica/log-history.js";
import { Replica, type ReplicaHooks } from "../../../server/replica/replica.js";
import { SessionIdGenerator, SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { Prng } from "../../../server/util/prng.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";
import type { ChainCheck } from "./chain-check.js";
import { type DiskStats, type DiskTiming, type DurableDisk, SimStorage } from "./sim-disk.js";
import type { SimNetwork } from "./sim-network.js";

/** tickTime of the simulated servers; the core ticks TICKS_PER_TICK_TIME times per tickTime. */
export const TICK_TIME_MS = 2000;
const TICKS_PER_TICK_TIME = 20;
export const CORE_TICK_MS = TICK_TIME_MS / TICKS_PER_TICK_TIME;
/** Small, so that learners behind get DIFF from the history as well as SNAP past it. */
const HISTORY_BYTES = 2048;

/** A Replica whose applied batches the checkers see (after the pipeline applied them). */
class ObservedReplica extends Replica {
  observer: ((committed: readonly Entry[]) => void) | undefined;

  override attach(hooks: ReplicaHooks): void {
    super.attach({
      ...hooks,
      apply: (committed) => {
        hooks.apply(committed);
        this.observer?.(committed);
      },
    });
  }
}

export interface MemberEnv {
  readonly scheduler: VirtualTimeScheduler;
  readonly voters: readonly number[];
  readonly seed: number;
  readonly network: SimNetwork;
  readonly chain: ChainCheck;
  readonly timing: DiskTiming;
  readonly diskStats: DiskStats;
  /** Snapshots every snapEvery/2 + random(snapEvery/2) applied transactions. */
  readonly snapEvery: number;
  readonly log: (line: string) => void;
  /** Logs every applied batch and disk write too (SIM_REAL_VERBOSE). */
  readonly verbose: boolean;
  /** zoo.cfg watchStreamBufferSize in bytes (the default 1 MiB never fills in a run). */
  readonly watchStreamBufferBytes?: number;
}

/** One running incarnation of a member: the real serving stack over its disk. */
export interface SimMember {
  readonly id: number;
  readonly incarnation: number;
  readonly pipeline: Pipeline;
  readonly replica: Replica;
  readonly tree: DataTree;
  readonly sessions: SessionTable;
  readonly storage: SimStorage;
  /** The zxid of the state the tree holds, as the chain checker tracks it. */
  applied: number;
  /**
   * The zxid the member's watch history starts after: the state it started from or the last SNAP
   * (the history is never evicted here: WATCH_HISTORY_BYTES). Older starts are COMPACTED.
   */
  readonly historyFrom: number;
}

/** Far more than a run's changes: the watch history's only start is the member's state. */
const WATCH_HISTORY_BYTES = 256 * 1024 * 1024;

/**
 * Starts member `id` from what its disk holds, as server/main does (durability.ts's
 * openDurableState, replication.ts's buildReplication, server.ts's Pipeline), in memory: the
 * newest snapshot restores the tree (digest checked) and the sessions with a fresh timeout; the
 * log after it goes to the ZAB core, which hands entries back as committed once they are.
 */
export function startMember(id: number, incarnation: number, disk: DurableDisk, env: MemberEnv): SimMember {
  const { scheduler } = env;
  const clock = (): number => scheduler.now();
  const sessions = new SessionTable({
    tickMs: TICK_TIME_MS,
    minTimeoutMs: 2 * TICK_TIME_MS,
    maxTimeoutMs: 20 * TICK_TIME_MS,
    sessionsMax: defaultLimits.sessionsMax,
  });
  const snapshot = parseSnapshot(`member-${id}`, disk.snapshot);
  const restored = DataTree.restore(snapshot.acls, snapshot.nodes, disk.snapshotZxid);
  if (restored.digest !== snapshot.header.digest) throw new Error(`member ${id}: snapshot digest mismatch`);
  for (const s of snapshot.sessions) sessions.add(s.sessionId, s.timeoutMs, s.password, clock());
  const tree = restored;
  if (tree.replaying) tree.finishReplay();
  const entries = disk.log.filter((e) => e.zxid > tree.lastZxid);
  const lastZxid = Math.max(entries[entries.length - 1]?.zxid ?? 0, tree.lastZxid);
  const history = new LogHistory(HISTORY_BYTES, 512);
  history.seed(tree.lastZxid, entries);
  const rng = new Prng(env.seed * 1009 + id * 101 + incarnation);
  const node = new ZabNode({
    id,
    voters: env.voters,
    observers: [],
    acceptedEpoch: disk.acceptedEpoch,
    currentEpoch: disk.currentEpoch,
    lastZxid,
    log: entries,
    logBaseZxid: tree.lastZxid,
    committedZxid: tree.lastZxid,
    logEntriesMax: 16,
    history,
    proposalsInFlightMax: 1000,
    electionTimeoutTicks: 4,
    heartbeatTicks: TICKS_PER_TICK_TIME / 2,
    initLimitTicks: 10 * TICKS_PER_TICK_TIME,
    syncLimitTicks: 5 * TICKS_PER_TICK_TIME,
    random: new Prng(rng.nextUint32()),
  });
  const storage = new SimStorage(
    disk,
    scheduler,
    new Prng(rng.nextUint32()),
    env.timing,
    env.diskStats,
    history,
  );
  const log = (level: string, message: string): void => env.log(`${id}.${incarnation} ${level}: ${message}`);
  let pipeline: Pipeline | undefined;
  const member = { applied: tree.lastZxid, historyFrom: tree.lastZxid };
  const replica = new ObservedReplica(
    node,
    storage,
    {
      // As replication.ts: the state at zxid now, encoded later (0 to 3 ticks here) while the
      // member goes on applying; the learner's messages wait behind it in the Replica.
      encode: (zxid) => {
        if (tree.lastZxid !== zxid) return undefined;
        const input = snapshotInput(tree, sessions);
        return new Promise<Uint8Array>((resolve) => {
          scheduler.schedule(() => {
            resolve(encodeSnapshot(input));
            input.close();
          }, snapRng.below(4) * CORE_TICK_MS);
        });
      },
      install: async (zxid, bytes) => {
        const snap = parseSnapshot("snap", bytes);
        const fresh = DataTree.restore(snap.acls, snap.nodes, zxid);
        if (fresh.digest !== snap.header.digest) throw new Error(`SNAP ${zxid}: digest mismatch`);
        // installSnapshotBytes: the snapshot file is durable before the tree is replaced.
        disk.snapshot = bytes;
        disk.snapshotZxid = zxid;
        tree.replaceWith(fresh);
        for (const sid of sessions.ids()) sessions.remove(sid);
        for (const s of snap.sessions) sessions.add(s.sessionId, s.timeoutMs, s.password, clock());
        member.applied = zxid;
        member.historyFrom = zxid;
        env.chain.digest(id, zxid, tree.digest);
        pipeline?.stateReplaced(zxid);
      },
    },
    { tickMs: CORE_TICK_MS, scheduler, snapshotChunkBytes: 4096, log },
  );
  replica.observer = (committed) => {
    if (env.verbose)
      log("info", `applied ${committed.map((e) => `${e.zxid.toString(16)}:${e.txn.body?.$case}`).join(" ")}`);
    member.applied = env.chain.applied(id, member.applied, committed);
    env.chain.digest(id, member.applied, tree.digest);
  };
  const ids = new SessionIdGenerator(id, 1_000_000 + clock());
  const snapRng = new Prng(rng.nextUint32());
  const half = Math.max(1, env.snapEvery >> 1);
  let threshold = half + snapRng.below(half);
  let sinceSnap = 0;
  let walking = false;
  pipeline = new Pipeline(
    {
      tree,
      prep: new Prep(tree, { limits: defaultLimits, extendedTypesEnabled: true }),
      sessions,
      watches: new WatchRegistry({ watchesPerSessionMax: defaultLimits.watchesPerSessionMax }),
      replica,
      clock,
      scheduler,
      tracer: undefined,
      log,
      authenticate: () => {
        throw new PaddockError(Code.AuthFailed, "", "no auth in the simulator");
      },
      nextSessionId: () => ids.next(),
      randomBytes: (n) => {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) out[i] = rng.below(256);
        return out;
      },
      // The Snapshotter: the tree's cursor read a few nodes per tick while the member goes on
      // applying (as the real one reads it between chunks), then durable a little later; lost if
      // the member dies first. The file must hold the tree exactly at its zxid: recovery checks
      // the digest and the chain check compares every member's.
      afterApply: (count) => {
        sinceSnap += count;
        if (sinceSnap < threshold || walking) return;
        sinceSnap = 0;
        threshold = half + snapRng.below(half);
        walking = true;
        const input = snapshotInput(tree, sessions);
        const views = input.nodes[Symbol.iterator]();
        const nodes: SnapshotNodeFields[] = [];
        const step = (): void => {
          if (storage.dead) {
            input.close();
            return;
          }
          for (let k = 1 + snapRng.below(8); k > 0; k--) {
            const next = views.next();
            if (next.done === true) {
              walking = false;
              const bytes = encodeSnapshot({ ...input, nodes });
              scheduler.schedule(() => {
                if (storage.dead || input.zxid <= disk.snapshotZxid) return;
                disk.snapshot = bytes;
                disk.snapshotZxid = input.zxid;
              }, snapRng.below(5) * CORE_TICK_MS);
              return;
            }
            nodes.push({ ...next.value });
          }
          scheduler.schedule(step, snapRng.below(3) * CORE_TICK_MS);
        };
        step();
      },
    },
    {
      limits: defaultLimits,
      tickMs: TICK_TIME_MS,
      containerCheckMs: 60_000,
      proposalsInFlightMax: 1000,
      zookeeperConfig: new Uint8Array(0),
      watchHistoryBytes: WATCH_HISTORY_BYTES,
      ...(env.watchStreamBufferBytes === undefined
        ? {}
        : { watchStreamBufferBytes: env.watchStreamBufferBytes }),
    },
    {
      connectionsPerAddressMax: defaultLimits.connectionsPerAddressMax,
      requestsBeforeConnectMax: defaultLimits.outstandingPerSessionMax,
    },
  );
  const result: SimMember = {
    id,
    incarnation,
    pipeline,
    replica,
    tree,
    sessions,
    storage,
    get applied() {
      return member.applied;
    },
    set applied(z: number) {
      member.applied = z;
    },
    get historyFrom() {
      return member.historyFrom;
    },
  };
  env.network.attach(id, replica);
  replica.connect(env.network.linkOf(id));
  replica.start();
  return result;
}

/** A power loss: the stack stops where it is; the disk keeps what was durable plus a prefix. */
export function crashMember(member: SimMember, network: SimNetwork): string {
  network.detach(member.id);
  const { kept, of } = member.storage.powerLoss();
  const log = member.storage.disk.log;
  member.pipeline.stop();
  return `kept ${kept} of ${of} unsynced writes; log ${log[0]?.zxid.toString(16)}..${log[log.length - 1]?.zxid.toString(16)}`;
}
