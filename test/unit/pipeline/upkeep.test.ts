import { SpanStatusCode } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Entry, HardState, Ready } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { LocalSessionTracker } from "../../../server/pipeline/local-session-tracker.js";
import { LocalSessions } from "../../../server/pipeline/local-sessions.js";
import type { MemberState } from "../../../server/pipeline/member-state.js";
import { ProposalTracing } from "../../../server/pipeline/proposal-tracing.js";
import { Proposer } from "../../../server/pipeline/proposer.js";
import { Requester } from "../../../server/pipeline/requester.js";
import { SessionUpkeep } from "../../../server/pipeline/upkeep.js";
import { Replica } from "../../../server/replica/replica.js";
import type { Storage } from "../../../server/replica/storage.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { ensemble } from "../consensus/zab-node-harness.js";
import { Harness } from "../tree/harness.js";

// SessionUpkeep with the real parts it drives: a SessionTable, a Proposer on a real ZabNode (an
// elected standalone voter for the leader's side, a settled follower for the other), the tree and
// prep, and a Replica whose peer link records what a follower sends its leader. Time is a virtual
// scheduler's: tickMs 200, so the half-tick upkeep runs every 100 ms.

const TICK_MS = 200;

class NoStorage implements Storage {
  failure = undefined;
  append(_entries: readonly Entry[]): undefined {
    return undefined;
  }
  async truncate(): Promise<void> {}
  snapshotInstalled(): void {}
  async saveHardState(_state: HardState): Promise<void> {}
  async close(): Promise<void> {}
}

function elected(proposalsInFlightMax: number): ZabNode {
  const node = new ZabNode({ id: 1, voters: [1], acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax });
  for (let tick = 0; tick < 100 && !node.isBroadcasting; tick++) {
    node.tick();
    drain(node);
  }
  if (!node.isBroadcasting) throw new Error("the standalone voter did not lead within 100 ticks");
  return node;
}

/** Every Ready taken, persisted and applied; returns the entries proposed. */
function drain(node: ZabNode): Entry[] {
  const out: Entry[] = [];
  while (node.hasReady()) {
    const ready: Ready = node.ready();
    node.advance(ready);
    if (ready.entries.length > 0) node.persisted(ready);
    out.push(...ready.entries);
  }
  return out;
}

function setup(
  options: {
    role?: "leader" | "follower";
    sessionsMax?: number;
    proposalsInFlightMax?: number;
    localSessions?: boolean;
    traced?: boolean;
  } = {},
) {
  const follower = options.role === "follower";
  const node = follower ? ensemble().followers[0]! : elected(options.proposalsInFlightMax ?? 100);
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const clock = (): number => scheduler.now();
  const member: MemberState = { leading: !follower, serving: true, storageFailure: undefined };
  const sent: { to: number; message: PeerMessage }[] = [];
  const replica = new Replica(
    node,
    new NoStorage(),
    { encode: () => undefined, install: async () => {} },
    {
      tickMs: 100,
      scheduler: { schedule: () => ({ unsubscribe() {} }) },
      snapshotChunkBytes: 1 << 20,
      log: () => {},
    },
  );
  replica.connect({ send: (to, message) => sent.push({ to, message }) > 0 });
  const sessions = new SessionTable({
    tickMs: TICK_MS,
    minTimeoutMs: 1,
    maxTimeoutMs: 60_000,
    sessionsMax: 1e6,
  });
  const h = new Harness();
  const proposer = new Proposer(node, member, () => {}, clock, options.proposalsInFlightMax ?? 100, sessions);
  const local = new LocalSessions();
  const localSessions = options.localSessions
    ? new LocalSessionTracker({ upgrading: false }, TICK_MS, 100)
    : undefined;
  const log: string[] = [];
  const exporter = new InMemorySpanExporter();
  const tracer = options.traced
    ? new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("t")
    : undefined;
  const upkeep = new SessionUpkeep({
    member,
    sessions,
    tree: h.tree,
    prep: h.prep,
    replica,
    proposer,
    local,
    localSessions,
    clock,
    log: (_level, message) => log.push(message),
    sessionsMax: options.sessionsMax ?? 100,
    tracer,
    tracing: tracer && new ProposalTracing(tracer),
  });
  const subscriptions = upkeep.start(scheduler, TICK_MS, 1_000);
  const advanceTo = (ms: number): void => {
    scheduler.maxFrames = ms;
    scheduler.flush();
  };
  /** The session ids of each touch message sent to the leader, in order. */
  const touches = (): bigint[][] =>
    sent.map(({ message }) => {
      if (message.kind?.$case !== "touch") throw new Error(`not a touch: ${message.kind?.$case}`);
      return message.kind.value.sessionIds;
    });
  return {
    node,
    member,
    sessions,
    h,
    proposer,
    local,
    localSessions,
    log,
    sent,
    touches,
    upkeep,
    scheduler,
    advanceTo,
    spans: () => exporter.getFinishedSpans(),
    stop: () => {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}

const password = new Uint8Array(16);

describe("a follower's session touches", () => {
  it("collects its sessions' activity and sends it to its leader each half tick, once", () => {
    const f = setup({ role: "follower" });
    const leaderId = f.node.leaderId;
    f.upkeep.touched(0x10n);
    f.upkeep.touched(0x11n);
    f.upkeep.touched(0x10n);
    expect(f.sent).toEqual([]);
    f.advanceTo(100);
    expect(f.sent.map((s) => s.to)).toEqual([leaderId]);
    expect(f.touches()).toEqual([[0x10n, 0x11n]]);
    f.advanceTo(300);
    expect(f.touches()).toHaveLength(1);
    f.upkeep.touched(0x12n);
    f.advanceTo(400);
    expect(f.touches()).toEqual([[0x10n, 0x11n], [0x12n]]);
    // A follower's own table is not touched (the leader owns the deadlines).
    expect(f.sessions.size).toBe(0);
    f.stop();
  });

  it("sends nothing while not serving, and sends what it kept once it serves again", () => {
    const f = setup({ role: "follower" });
    f.member.serving = false;
    f.upkeep.touched(0x10n);
    f.advanceTo(300);
    expect(f.sent).toEqual([]);
    f.member.serving = true;
    f.advanceTo(400);
    expect(f.touches()).toEqual([[0x10n]]);
    f.stop();
  });

  it("keeps at most sessionsMax ids between sends", () => {
    const f = setup({ role: "follower", sessionsMax: 2 });
    for (const id of [1n, 2n, 3n]) f.upkeep.touched(id);
    f.upkeep.touched(1n);
    f.advanceTo(100);
    expect(f.touches()).toEqual([[1n, 2n]]);
    f.stop();
  });

  it("splits the ids into messages of 10,000", () => {
    const f = setup({ role: "follower", sessionsMax: 30_000 });
    for (let id = 1n; id <= 20_001n; id++) f.upkeep.touched(id);
    f.advanceTo(100);
    const sizes = f.touches().map((ids) => [ids.length, ids[0], ids.at(-1)]);
    expect(sizes).toEqual([
      [10_000, 1n, 10_000n],
      [10_000, 10_001n, 20_000n],
      [1, 20_001n, 20_001n],
    ]);
    f.stop();
  });

  it("forgets the collected ids when a new leader restarts the timeouts", () => {
    const f = setup({ role: "follower" });
    f.upkeep.touched(0x10n);
    f.upkeep.restartSessionTimeouts();
    f.advanceTo(300);
    expect(f.sent).toEqual([]);
    f.stop();
  });

  it("touches a local session of its own here, and never reports it to the leader", () => {
    const f = setup({ role: "follower", localSessions: true });
    f.localSessions!.add(0x20n, 1_000, password, 0);
    f.advanceTo(500);
    f.upkeep.touched(0x20n);
    expect(f.localSessions!.get(0x20n)?.expiresAt).toBe(1_600);
    f.advanceTo(700);
    expect(f.sent).toEqual([]);
    f.stop();
  });
});

describe("the leader's touches and expiry", () => {
  it("moves a session's deadline on its requests and on a follower's touch, by the clock's now", () => {
    const l = setup();
    l.sessions.add(0x30n, 1_000, password, 0);
    l.sessions.add(0x31n, 1_000, password, 0);
    // Deadlines round up to the next tick boundary past now + timeout.
    expect(l.sessions.get(0x30n)?.expiresAt).toBe(1_200);
    l.advanceTo(500);
    l.upkeep.touched(0x30n);
    expect(l.sessions.get(0x30n)?.expiresAt).toBe(1_600);
    l.advanceTo(900);
    l.upkeep.touchedRemotely([0x30n, 0x31n]);
    expect([l.sessions.get(0x30n)?.expiresAt, l.sessions.get(0x31n)?.expiresAt]).toEqual([2_000, 2_000]);
    l.stop();
  });

  it("touches a local session in its tracker and not in the global table", () => {
    const l = setup({ localSessions: true });
    l.localSessions!.add(0x32n, 1_000, password, 0);
    l.sessions.add(0x32n, 1_000, password, 0);
    l.advanceTo(500);
    l.upkeep.touched(0x32n);
    expect(l.localSessions!.get(0x32n)?.expiresAt).toBe(1_600);
    expect(l.sessions.get(0x32n)?.expiresAt).toBe(1_200);
    l.stop();
  });

  it("proposes a silent session's close once, marks its connection closing, and logs it", () => {
    const l = setup();
    l.sessions.add(0x40n, 400, password, 0);
    l.sessions.add(0x41n, 10_000, password, 0);
    const requester = new Requester(0x40n, [], undefined);
    l.local.set(requester);
    l.advanceTo(500);
    expect(drain(l.node)).toEqual([]);
    l.advanceTo(600);
    const closes = drain(l.node).map((e) => [e.txn.sessionId, e.txn.body?.$case]);
    expect(closes).toEqual([[0x40n, "closeSession"]]);
    expect(requester.closing).toBe(true);
    expect(l.sessions.get(0x40n)?.closing).toBe(true);
    expect(l.log).toEqual(["expiring session 0x40"]);
    l.advanceTo(2_000);
    expect(drain(l.node)).toEqual([]);
    expect(l.log).toHaveLength(1);
    l.stop();
  });

  it("keeps a close it cannot propose yet and proposes it at a later half tick, before newer ones", () => {
    const l = setup({ proposalsInFlightMax: 1 });
    l.sessions.add(0x51n, 400, password, 0);
    l.sessions.add(0x50n, 600, password, 0);
    // One proposal in flight fills the limit: the expiry of 0x51 at 600 ms and of 0x50 at 800 ms
    // cannot propose; both are kept, in the order they expired.
    l.proposer.propose(0n, 0, () => ({ $case: "noop", value: {} }), undefined, undefined);
    l.advanceTo(800);
    expect(l.log).toEqual([]);
    expect(drain(l.node).map((e) => e.txn.body?.$case)).toEqual(["noop"]);
    // One slot: the one kept longest goes first, the other waits again.
    l.advanceTo(900);
    expect(l.log).toEqual(["expiring session 0x51"]);
    expect(drain(l.node).map((e) => e.txn.sessionId)).toEqual([0x51n]);
    l.advanceTo(1_000);
    expect(l.log).toEqual(["expiring session 0x51", "expiring session 0x50"]);
    expect(drain(l.node).map((e) => e.txn.sessionId)).toEqual([0x50n]);
    l.stop();
  });

  it("forgets the closes it kept when a new leader restarts the timeouts", () => {
    const l = setup({ proposalsInFlightMax: 1 });
    l.sessions.add(0x52n, 400, password, 0);
    l.proposer.propose(0n, 0, () => ({ $case: "noop", value: {} }), undefined, undefined);
    l.advanceTo(600);
    drain(l.node);
    l.upkeep.restartSessionTimeouts();
    l.advanceTo(700);
    expect(l.log).toEqual([]);
    expect(drain(l.node)).toEqual([]);
    l.stop();
  });

  it("does not expire on a member that does not lead", () => {
    const l = setup();
    l.sessions.add(0x53n, 400, password, 0);
    l.member.leading = false;
    l.advanceTo(1_000);
    expect(drain(l.node)).toEqual([]);
    l.stop();
  });

  it("traces an expiry as paddock.session.expire, ended when applied or failed with the error", () => {
    const l = setup({ traced: true });
    l.sessions.add(0x60n, 400, password, 0);
    l.sessions.add(0x61n, 400, password, 0);
    l.advanceTo(600);
    const [a, b] = drain(l.node);
    expect(l.spans()).toEqual([]);
    l.proposer.take(a!.zxid)!.onApplied!({} as never);
    l.proposer.take(b!.zxid)!.onFailed!(new PaddockError(Code.ConnectionLoss, "", "leader changed"));
    expect(
      l.spans().map((s) => [s.name, s.attributes["paddock.session"], s.status.code, s.status.message]),
    ).toEqual([
      ["paddock.session.expire", "0x60", SpanStatusCode.UNSET, undefined],
      ["paddock.session.expire", "0x61", SpanStatusCode.ERROR, "leader changed"],
    ]);
    l.stop();
  });

  it("leaves an untraced expiry's waiter without callbacks", () => {
    const l = setup();
    l.sessions.add(0x62n, 400, password, 0);
    l.advanceTo(600);
    const [entry] = drain(l.node);
    const waiter = l.proposer.take(entry!.zxid)!;
    expect([waiter.onApplied, waiter.onFailed, waiter.slot, waiter.barrier]).toEqual([
      undefined,
      undefined,
      undefined,
      false,
    ]);
    expect(waiter.requester.sessionId).toBe(0x62n);
    expect(waiter.requester.closing).toBe(true);
    l.stop();
  });
});

describe("the leader's container check", () => {
  /** Containers /c1 and /c2 that had a child each, now gone. */
  const emptied = (l: ReturnType<typeof setup>) => {
    // The tree's zxids stay below the leader's (epoch 1), so prep's outstanding deletes outlive them.
    l.h.zxid = 0;
    for (const c of ["/c1", "/c2"]) {
      l.h.create(c, 4);
      l.h.create(`${c}/x`);
      l.h.run((z) => l.h.prep.delete({ path: `${c}/x`, version: -1 }, l.h.ctx(), z));
    }
  };

  it("proposes deleting each empty container every containerCheckMs, only while leading", () => {
    const l = setup();
    emptied(l);
    l.member.leading = false;
    l.advanceTo(1_000);
    expect(drain(l.node)).toEqual([]);
    l.member.leading = true;
    l.advanceTo(1_999);
    expect(drain(l.node)).toEqual([]);
    l.advanceTo(2_000);
    expect(drain(l.node).map((e) => [e.txn.sessionId, e.txn.body])).toEqual([
      [0n, { $case: "deleteContainer", value: { path: "/c1" } }],
      [0n, { $case: "deleteContainer", value: { path: "/c2" } }],
    ]);
    l.stop();
  });

  it("stops at the first container it cannot propose and tries them all at the next check", () => {
    const l = setup({ proposalsInFlightMax: 1 });
    emptied(l);
    l.advanceTo(1_000);
    expect(drain(l.node).map((e) => e.txn.body?.value)).toEqual([{ path: "/c1" }]);
    l.advanceTo(2_000);
    // /c1's delete is outstanding in prep (this tree never applies it): prep builds nothing for
    // it, and /c2, refused at the first check, is proposed now.
    expect(drain(l.node).map((e) => e.txn.body?.value)).toEqual([{ path: "/c2" }]);
    l.stop();
  });
});
