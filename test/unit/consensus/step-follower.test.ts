import { describe, expect, it } from "vitest";
import { idsConfig } from "../../../server/consensus/member-config.js";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Entry } from "../../../server/consensus/ready.js";
import { stepFollower, tickFollower } from "../../../server/consensus/step-follower.js";
import { type Timing, ZabState } from "../../../server/consensus/zab-state.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { txnOf } from "../../sim/disk.js";
import { describeMessage } from "./golden-harness.js";

// The follower's step and tick functions message by message (found by mutation testing,
// docs/TESTING.md), as step-leader.test.ts drives the leader: member 1 of voters 1, 2, 3 and
// observer 4 follows 3; messages read as in the golden traces ("to message").

const z = (counter: number, epoch = 1) => makeZxid(epoch, counter);
const timing: Timing = { electionTimeoutTicks: 10, initLimitTicks: 8, syncLimitTicks: 3, heartbeatTicks: 3 };
const entry = (zxid: number): Entry => ({ zxid, txn: txnOf({ $case: "delete", value: { path: "/x" } }) });

/** Member 1 with a log of `counters` (epoch 1, all committed), connected to leader 3 at tick 1. */
function connected(counters: number[] = [], accepted = 1): ZabState {
  const log = counters.map((c) => entry(z(c)));
  const last = log.at(-1)?.zxid ?? 0;
  const s = new ZabState(1, idsConfig([1, 2, 3], [4]), timing, undefined, {
    acceptedEpoch: accepted,
    currentEpoch: Math.min(accepted, 1),
    lastZxid: last,
    log,
    logBase: 0,
    committedZxid: last,
  });
  s.now = 1;
  s.becomeFollowing(3);
  s.outbox = [];
  return s;
}

/** Connected, then leaderInfo for epoch 2: synchronising. */
function syncing(counters: number[] = []): ZabState {
  const s = connected(counters);
  stepFollower(s, 3, { type: "leaderInfo", epoch: 2 });
  s.outbox = [];
  s.hardStateDirty = false;
  return s;
}

/** Synced up to the current log (DIFF, NEWLEADER with everything durable): broadcasting. */
function broadcasting(counters: number[] = []): ZabState {
  const s = syncing(counters);
  const last = s.lastZxid;
  stepFollower(s, 3, { type: "diff", epoch: 2, zxid: last });
  stepFollower(s, 3, { type: "newLeader", epoch: 2, zxid: last });
  s.outbox = [];
  return s;
}

function step(s: ZabState, from: number, message: ZabMessage): string[] {
  stepFollower(s, from, message);
  const lines = s.outbox.map((o) => `${o.to} ${describeMessage(o.message)}`);
  s.outbox = [];
  return lines;
}

function tick(s: ZabState): string[] {
  s.now++;
  tickFollower(s);
  const lines = s.outbox.map((o) => `${o.to} ${describeMessage(o.message)}`);
  s.outbox = [];
  return lines;
}

const proposal = (prev: number, zxid: number, type: "proposal" | "inform" = "proposal"): ZabMessage => ({
  type,
  epoch: 2,
  prevZxid: prev,
  entry: entry(zxid),
});

describe("follower discovery: the leader's epoch", () => {
  it("accepts a new epoch from its leader only, and acks it with what it has", () => {
    const s = connected([1, 2]);
    expect(step(s, 2, { type: "leaderInfo", epoch: 2 })).toEqual([]);
    expect(s.phase).toBe("discovery");
    expect(step(s, 3, { type: "leaderInfo", epoch: 2 })).toEqual([
      "3 ackEpoch e2 current=e1 last=0x100000002",
    ]);
    expect([s.phase, s.newEpoch, s.acceptedEpoch, s.hardStateDirty]).toEqual(["sync", 2, 2, true]);
  });

  it("acks an epoch it had already accepted as stale, without touching its hard state", () => {
    const s = connected([], 2);
    expect(step(s, 3, { type: "leaderInfo", epoch: 2 })).toEqual(["3 ackEpoch e2 stale current=e1 last=0x0"]);
    expect([s.phase, s.hardStateDirty]).toEqual(["sync", false]);
  });

  it("an epoch below the one it accepted sends it back to looking", () => {
    const s = connected([], 3);
    step(s, 3, { type: "leaderInfo", epoch: 2 });
    expect([s.role, s.acceptedEpoch]).toEqual(["looking", 3]);
  });

  it("a second leaderInfo once synchronising is ignored", () => {
    const s = syncing();
    expect(step(s, 3, { type: "leaderInfo", epoch: 3 })).toEqual([]);
    expect([s.phase, s.newEpoch, s.acceptedEpoch]).toEqual(["sync", 2, 2]);
  });

  it("nothing but leaderInfo counts before the epoch is agreed, even with a matching epoch", () => {
    const s = connected([1]);
    s.now = 5;
    // newEpoch is 0 while discovering: a message of epoch 0 would otherwise pass the epoch check.
    step(s, 3, { type: "diff", epoch: 0, zxid: z(9) });
    expect([s.role, s.phase, s.heardTick]).toEqual(["following", "discovery", 1]);
  });
});

describe("follower synchronisation", () => {
  it("drops a message of another epoch or from another member", () => {
    const s = syncing([1]);
    s.now = 5;
    step(s, 3, { type: "diff", epoch: 3, zxid: z(9) });
    step(s, 2, { type: "diff", epoch: 2, zxid: z(9) });
    expect([s.role, s.heardTick]).toEqual(["following", 1]);
  });

  it("DIFF from where it is goes on; from anywhere else it looks again", () => {
    const s = syncing([1]);
    s.now = 5;
    expect(step(s, 3, { type: "diff", epoch: 2, zxid: z(1) })).toEqual([]);
    expect([s.role, s.heardTick]).toEqual(["following", 5]);
    step(s, 3, { type: "diff", epoch: 2, zxid: z(2) });
    expect(s.role).toBe("looking");
  });

  it("TRUNC cuts the uncommitted tail", () => {
    const s = syncing([1, 2, 3]);
    s.commitZxid = z(1);
    step(s, 3, { type: "trunc", epoch: 2, zxid: z(1) });
    expect([s.lastZxid, s.truncateTo, s.role]).toEqual([z(1), z(1), "following"]);
  });

  it("SNAP installs the leader's state, and its configuration when one comes with it", () => {
    const s = syncing([1]);
    step(s, 3, { type: "snap", epoch: 2, zxid: z(7) });
    expect([s.lastZxid, s.commitZxid, s.activeConfig.version]).toEqual([z(7), z(7), 0]);
    const config = { ...idsConfig([1, 2, 3, 5]), version: z(6) };
    step(s, 3, { type: "snap", epoch: 2, zxid: z(8), config });
    expect([s.lastZxid, s.activeConfig]).toEqual([z(8), config]);
  });

  it("a proposal or inform that follows its last entry is logged; only an inform commits it", () => {
    const s = syncing([1]);
    step(s, 3, proposal(z(1), z(2)));
    expect([s.lastZxid, s.commitZxid]).toEqual([z(2), z(1)]);
    step(s, 3, proposal(z(2), z(3), "inform"));
    expect([s.lastZxid, s.commitZxid]).toEqual([z(3), z(3)]);
  });

  it("a proposal or inform after a gap sends it back to looking, unlogged", () => {
    for (const type of ["proposal", "inform"] as const) {
      const s = syncing([1]);
      step(s, 3, proposal(z(2), z(3), type));
      expect([s.role, s.lastZxid]).toEqual(["looking", z(1)]);
    }
  });

  it("NEWLEADER at its last zxid: broadcasting, acked at once when durable, with the new epoch", () => {
    const s = syncing([1]);
    expect(step(s, 3, { type: "newLeader", epoch: 2, zxid: z(1) })).toEqual([
      "3 ackNewLeader e2 0x100000001",
    ]);
    expect([s.phase, s.currentEpoch, s.newLeaderAckZxid]).toEqual(["broadcast", 2, undefined]);
  });

  it("NEWLEADER after entries not yet durable waits for them", () => {
    const s = syncing([1]);
    step(s, 3, proposal(z(1), z(2)));
    expect(step(s, 3, { type: "newLeader", epoch: 2, zxid: z(2) })).toEqual([]);
    expect([s.phase, s.currentEpoch, s.newLeaderAckZxid]).toEqual(["broadcast", 1, z(2)]);
  });

  it("NEWLEADER at another zxid sends it back to looking", () => {
    const s = syncing([1]);
    step(s, 3, { type: "newLeader", epoch: 2, zxid: z(2) });
    expect(s.role).toBe("looking");
  });
});

describe("follower broadcast", () => {
  it("commits up to what it has, never back", () => {
    const s = broadcasting([1, 2, 3]);
    s.commitZxid = z(1);
    step(s, 3, { type: "commit", epoch: 2, zxid: z(3) });
    expect(s.commitZxid).toBe(z(3));
    step(s, 3, { type: "upToDate", epoch: 2, commitZxid: z(2) });
    expect([s.commitZxid, s.role]).toEqual([z(3), "following"]);
  });

  it("a commit or UPTODATE beyond its log sends it back to looking", () => {
    const a = broadcasting([1]);
    step(a, 3, { type: "commit", epoch: 2, zxid: z(2) });
    expect([a.role, a.commitZxid]).toEqual(["looking", z(1)]);
    const b = broadcasting([1]);
    step(b, 3, { type: "upToDate", epoch: 2, commitZxid: z(2) });
    expect(b.role).toBe("looking");
  });

  it("answers a ping, and ignores what a follower is never sent", () => {
    const s = broadcasting([1]);
    expect(step(s, 3, { type: "ping", epoch: 2 })).toEqual(["3 ping e2"]);
    expect(step(s, 3, { type: "ack", epoch: 2, zxid: z(1) })).toEqual([]);
    expect(s.role).toBe("following");
  });
});

describe("follower ticks", () => {
  it("while discovering: FOLLOWERINFO again every heartbeat, looking again at initLimit", () => {
    const s = connected([1]);
    const out: string[][] = [];
    // Connected at tick 1: heartbeats at 4 and 7, initLimit's deadline at 9.
    for (let i = 2; i < 9; i++) out.push(tick(s));
    const info = "3 followerInfo accepted=e1 current=e1 last=0x100000001";
    expect(out).toEqual([[], [], [info], [], [], [info], []]);
    expect(s.role).toBe("following");
    tick(s);
    expect(s.role).toBe("looking");
  });

  it("while synchronising: no retransmission, and pings do not extend initLimit", () => {
    const s = syncing([1]);
    // Synchronising since tick 1, a ping at tick 5: three ticks of silence at ticks 4 and 8.
    for (let now = 2; now < 9; now++) {
      expect(tick(s)).toEqual([]);
      if (now === 5) step(s, 3, { type: "ping", epoch: 2 });
    }
    expect(s.role).toBe("following");
    tick(s);
    expect(s.role).toBe("looking");
  });

  it("broadcasting: initLimit no longer applies, a leader silent beyond syncLimit is dropped", () => {
    const s = broadcasting([1]);
    for (let i = 0; i < 10; i++) {
      tick(s);
      step(s, 3, { type: "ping", epoch: 2 });
    }
    expect([s.role, s.heardTick]).toEqual(["following", 11]);
    for (let i = 0; i < 3; i++) expect(tick(s)).toEqual([]);
    expect(s.role).toBe("following");
    tick(s);
    expect(s.role).toBe("looking");
  });
});
