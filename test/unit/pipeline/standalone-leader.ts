// The real Pipeline of a standalone leader on a virtual clock with its Replica in the test's
// hands (unlike fake-member.ts): peer messages go in as a follower sends them, the peer link and the
// persisted entries are recorded, and the deps' hooks (servingChanged, storageFailed, the log)
// are the test's. For the tests of leader-intake.ts and pipeline.ts.
import { propagation } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { VirtualTimeScheduler } from "rxjs";
import type { Entry, HardState } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { ForwardedRequest, PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { Pipeline, type PipelineDeps } from "../../../server/pipeline/pipeline.js";
import { Replica } from "../../../server/replica/replica.js";
import type { Storage } from "../../../server/replica/storage.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";

propagation.setGlobalPropagator(new W3CTraceContextPropagator());

/** Entries as the Ready loop persists them: what the leader proposed, in order. */
class RecordingStorage implements Storage {
  readonly entries: Entry[] = [];
  failure = undefined;
  /** Set: every append from now on throws it. */
  failWith: Error | undefined;
  append(entries: readonly Entry[]): undefined {
    if (this.failWith !== undefined) throw this.failWith;
    this.entries.push(...entries);
    return undefined;
  }
  async truncate(): Promise<void> {}
  snapshotInstalled(): void {}
  async saveHardState(_state: HardState): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * The real Pipeline of a standalone leader on a virtual clock, with the Replica in the test's
 * hands: a forward from a follower goes in as the peer message it is (replica.onPeerMessage), and
 * the peer link records what goes back.
 */
export async function standaloneLeader(
  options: {
    writesRefused?: () => string | undefined;
    traced?: boolean;
    servingChanged?: PipelineDeps["servingChanged"];
    storageFailed?: PipelineDeps["storageFailed"];
  } = {},
) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const node = new ZabNode({ id: 1, voters: [1], acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax: 10 });
  const storage = new RecordingStorage();
  const replica = new Replica(
    node,
    storage,
    { encode: () => undefined, install: async () => {} },
    { tickMs: 100, scheduler, snapshotChunkBytes: 1 << 20, log: () => {} },
  );
  const sent: { to: number; message: PeerMessage }[] = [];
  replica.connect({ send: (to, message) => sent.push({ to, message }) > 0 });
  const tree = new DataTree();
  const sessions = new SessionTable({
    tickMs: 2000,
    minTimeoutMs: 400,
    maxTimeoutMs: 60_000,
    sessionsMax: 10,
  });
  const exporter = new InMemorySpanExporter();
  const tracer =
    options.traced === false
      ? undefined
      : new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("t");
  const log: string[] = [];
  const pipeline = new Pipeline(
    {
      tree,
      prep: new Prep(tree, { limits: defaultLimits, extendedTypesEnabled: true }),
      sessions,
      watches: new WatchRegistry({ watchesPerSessionMax: 10 }),
      replica,
      clock: () => scheduler.now(),
      scheduler,
      tracer,
      log: (level, message) => log.push(`${level} ${message}`),
      authenticate: () => [],
      nextSessionId: () => 0x100n,
      randomBytes: (size) => new Uint8Array(size),
      writesRefused: options.writesRefused,
      servingChanged: options.servingChanged,
      storageFailed: options.storageFailed,
    },
    {
      limits: defaultLimits,
      tickMs: 2000,
      containerCheckMs: 60_000,
      proposalsInFlightMax: 10,
      zookeeperConfig: new Uint8Array(0),
    },
    { connectionsPerAddressMax: 10, requestsBeforeConnectMax: 10 },
  );
  replica.start();
  const advance = async (ms: number): Promise<void> => {
    const end = scheduler.now() + ms;
    for (let t = scheduler.now(); t <= end; t += 50) {
      scheduler.maxFrames = t;
      scheduler.flush();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  };
  await advance(2_000);
  if (!pipeline.isServing) throw new Error("the standalone member did not serve within 2 s");
  const base = storage.entries.length;
  return {
    pipeline,
    scheduler,
    advance,
    /** The pipeline's log lines, each as "<level> <message>". */
    log,
    sent,
    sessions,
    tracer,
    spans: () => exporter.getFinishedSpans(),
    /** A follower's forward arriving, nothing else run. */
    receive(from: number, f: ForwardedRequest) {
      replica.onPeerMessage(from, { kind: { $case: "forward", value: f } });
    },
    /** A follower's forward arriving; the Ready loop then runs. */
    async forward(from: number, f: ForwardedRequest) {
      replica.onPeerMessage(from, { kind: { $case: "forward", value: f } });
      await advance(100);
    },
    failStorage: (error: Error) => {
      storage.failWith = error;
    },
    /** Every entry proposed since the member started serving. */
    proposed: (): Entry[] => storage.entries.slice(base),
    stop: () => pipeline.stop(),
  };
}
