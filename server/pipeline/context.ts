import type { Tracer } from "@opentelemetry/api";
import type { SchedulerLike } from "rxjs";
import type { Request } from "../gen/paddock/v1/session.js";
import type { Replica } from "../replica/replica.js";
import type { SessionTable } from "../sessions/index.js";
import type { AuthId, DataTree } from "../tree/data-tree.js";
import type { Prep } from "../tree/prep.js";
import type { Limits } from "../util/limits.js";
import type { WatchRegistry } from "../watches/watch-registry.js";
import type { AuditSink } from "./audit.js";
import type { ChangeHistory } from "./change-history.js";
import type { Forwarder } from "./forwarder.js";
import type { LocalSessionOptions, LocalSessionTracker } from "./local-session-tracker.js";
import type { LocalSessions } from "./local-sessions.js";
import type { MemberState } from "./member-state.js";
import type { ProposalTracing } from "./proposal-tracing.js";
import type { Proposer } from "./proposer.js";
import type { ReadContext } from "./read-ops.js";
import type { ReconfigOptions, ReconfigSource } from "./reconfig-prep.js";
import type { RequestStats } from "./request-stats.js";
import type { Requester } from "./requester.js";
import type { SessionOwners } from "./session-owners.js";
import type { SessionUpkeep } from "./upkeep.js";
import type { WatchStreams } from "./watch-streams.js";

export interface PipelineOptions {
  readonly limits: Limits;
  readonly tickMs: number;
  readonly containerCheckMs: number;
  readonly proposalsInFlightMax: number;
  /** What /zookeeper/config shows on this member (its zoo.cfg's server lines), UTF-8. */
  readonly zookeeperConfig: Uint8Array;
  /** localSessionsEnabled (and whether they upgrade); undefined: every session is global. */
  readonly localSessions?: LocalSessionOptions;
  /** enforce.auth.schemes in force (enforce.auth.enabled, sessionRequireClientSASLAuth); undefined: none. */
  readonly enforceAuthSchemes?: readonly string[];
  /** zoo.cfg watchHistorySize: bytes of recent changes kept for resumable watch streams. */
  readonly watchHistoryBytes?: number;
  /** zoo.cfg watchStreamBufferSize: bytes a watch stream may have in flight. */
  readonly watchStreamBufferBytes?: number;
  /** reconfigEnabled and standalone mode; undefined: reconfig disabled. */
  readonly reconfig?: ReconfigOptions;
}

export interface PipelineDeps {
  readonly tree: DataTree;
  readonly prep: Prep;
  readonly sessions: SessionTable;
  readonly watches: WatchRegistry;
  /** This member's replication: the ZAB core, its Ready loop and the peers. */
  readonly replica: Replica;
  readonly clock: () => number;
  /** Milliseconds from any origin, sub-millisecond (performance.now): request latency; default clock. */
  readonly monotonicMs?: () => number;
  /** ZooKeeper's audit log (audit.enable): told of every state-changing request this member answers. */
  readonly audit?: AuditSink;
  /** Runs session upkeep (expiry, touches, containers): asyncScheduler, or a virtual clock's. */
  readonly scheduler: SchedulerLike;
  readonly tracer: Tracer | undefined;
  readonly log: (level: "info" | "warn" | "error", message: string) => void;
  /** Turns auth credentials into identities; throws PaddockError(AuthFailed) for bad ones. */
  readonly authenticate: (scheme: string, auth: Uint8Array) => AuthId[];
  /** New session ids and passwords (a cryptographic source outside the core). */
  readonly nextSessionId: () => bigint;
  readonly randomBytes: (size: number) => Uint8Array;
  /** Told how many transactions each apply batch applied (snapshot scheduling). */
  readonly afterApply?: (count: number) => void;
  /** Why this member refuses writes now (its disk is below the floor), or undefined: read per write. */
  readonly writesRefused?: () => string | undefined;
  /** Storage failed: the member stops taking writes (health reports it). */
  readonly storageFailed?: (error: Error) => void;
  /** Serving started or stopped (health reports it). */
  readonly servingChanged?: (serving: boolean) => void;
}

/** Figures the admin commands show. */
export interface Counters {
  received: number;
  sent: number;
  /** Requests admitted and not answered yet, over every session. */
  outstanding: number;
  /** The last zxid applied on this member. */
  appliedZxid: number;
  /** Latency of every answered request (plain fields, no allocation per request). */
  readonly requests: RequestStats;
}

/** What the chain's stages share; built once by Pipeline, never seen outside server/pipeline. */
export interface PipelineContext {
  readonly deps: PipelineDeps;
  readonly options: PipelineOptions;
  readonly member: MemberState;
  readonly counters: Counters;
  readonly proposer: Proposer;
  readonly forwarder: Forwarder;
  readonly local: LocalSessions;
  /** ZooKeeper's local sessions of this member; undefined unless localSessionsEnabled. */
  readonly localSessions: LocalSessionTracker | undefined;
  /** Requests into intake, as a door submits them (the held requests of an upgraded session). */
  readonly submit: (requester: Requester, requests: readonly Request[]) => void;
  readonly upkeep: SessionUpkeep;
  /** On the leader: which member holds each session's connection (SessionMoved elsewhere). */
  readonly owners: SessionOwners;
  /** Recent committed changes (apply records them) and the resumable watch streams reading them. */
  readonly changes: ChangeHistory;
  readonly watchStreams: WatchStreams;
  /** What reads run against, built once. */
  readonly reads: ReadContext;
  /** What a reconfig's prep reads (the leader's core), built once. */
  readonly reconfig: ReconfigSource;
  /** A write traced across members; undefined when tracing is off (the hot path checks only this). */
  readonly tracing: ProposalTracing | undefined;
}
