import { describe, expect, it } from "vitest";
import type { Entry, EntryHistory } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { Random } from "../../../server/consensus/zab-state.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { txnOf } from "../../sim/disk.js";
import { describeMessage } from "./golden-harness.js";

// The leader's step function message by message (found by mutation testing, docs/TESTING.md): the
// simulator exercises these paths at random; here each one is pinned. Member 3 leads voters 1, 2, 3
// and observer 4; messages read as in the golden traces ("to message").

const z = (counter: number, epoch = 1) => makeZxid(epoch, counter);
const hex = (zxid: number) => `0x${zxid.toString(16)}`;
const entry = (zxid: number): Entry => ({
  zxid,
  txn: txnOf({ $case: "delete", value: { path: `/${hex(zxid)}` } }),
});

/** Every Ready handed out, advanced and persisted at once; the messages as lines. */
function drain(node: ZabNode): string[] {
  const out: string[] = [];
  while (node.hasReady()) {
    const ready = node.ready();
    for (const o of ready.messages) out.push(`${o.to} ${describeMessage(o.message)}`);
    node.advance(ready);
    if (ready.entries.length > 0) node.persisted(ready);
  }
  return out;
}

interface LeaderOptions {
  log?: number[];
  logBase?: number;
  committed?: number;
  history?: EntryHistory;
  random?: Random;
}

/** Member 3 elected by 1 and 2 (discovery: no learner connected yet). */
function elected(o: LeaderOptions = {}): ZabNode {
  const log = (o.log ?? []).map(entry);
  const last = log.at(-1)?.zxid ?? o.logBase ?? 0;
  const epoch = Math.floor(last / 2 ** 32);
  const node = new ZabNode({
    id: 3,
    voters: [1, 2, 3],
    observers: [4],
    acceptedEpoch: epoch,
    currentEpoch: epoch,
    lastZxid: last,
    log,
    logBaseZxid: o.logBase ?? 0,
    committedZxid: o.committed ?? last,
    proposalsInFlightMax: 10,
    history: o.history,
    random: o.random,
  });
  drain(node);
  const vote = { leader: 3, epoch, zxid: last };
  for (const from of [1, 2]) node.step(from, { type: "notification", vote, round: 1, state: "looking" });
  drain(node);
  expect(node.currentRole).toBe("leading");
  return node;
}

function info(
  node: ZabNode,
  from: number,
  o: { accepted?: number; current?: number; last?: number; attempt?: number } = {},
): string[] {
  node.step(from, {
    type: "followerInfo",
    attempt: o.attempt ?? 1,
    acceptedEpoch: o.accepted ?? 0,
    currentEpoch: o.current ?? 0,
    lastZxid: o.last ?? 0,
    observer: from === 4,
  });
  return drain(node);
}

function ackEpoch(
  node: ZabNode,
  from: number,
  epoch: number,
  o: { fresh?: boolean; current?: number; last?: number } = {},
): string[] {
  node.step(from, {
    type: "ackEpoch",
    epoch,
    fresh: o.fresh ?? true,
    currentEpoch: o.current ?? 0,
    lastZxid: o.last ?? 0,
  });
  return drain(node);
}

function step(node: ZabNode, from: number, message: Parameters<ZabNode["step"]>[1]): string[] {
  node.step(from, message);
  return drain(node);
}

/** Elected, epoch 1 established with 1, 2 and observer 4 synced: broadcasting. */
function broadcasting(o: LeaderOptions = {}): ZabNode {
  const node = elected(o);
  for (const from of [4, 1, 2]) info(node, from);
  for (const from of [4, 1, 2]) ackEpoch(node, from, 1);
  for (const from of [4, 1, 2]) step(node, from, { type: "ackNewLeader", epoch: 1, zxid: 0 });
  expect(node.isBroadcasting).toBe(true);
  return node;
}

const propose = (node: ZabNode, path = "/x"): number =>
  node.propose(txnOf({ $case: "delete", value: { path } }));

describe("leader discovery: the new epoch and who is heard", () => {
  it("the epoch is one above every voter's acceptedEpoch, observers not counted", () => {
    const node = elected();
    expect(info(node, 4, { accepted: 9 })).toEqual([]);
    expect(info(node, 1, { accepted: 5 })).toEqual(["4 leaderInfo e6", "1 leaderInfo e6"]);
  });

  it("a followerInfo that arrived while it was still looking counts once it leads", () => {
    const node = new ZabNode({
      id: 3,
      voters: [1, 2, 3],
      acceptedEpoch: 0,
      lastZxid: 0,
      proposalsInFlightMax: 10,
    });
    drain(node);
    node.step(1, {
      type: "followerInfo",
      attempt: 1,
      acceptedEpoch: 4,
      currentEpoch: 0,
      lastZxid: 0,
      observer: false,
    });
    const vote = { leader: 3, epoch: 0, zxid: 0 };
    node.step(1, { type: "notification", vote, round: 1, state: "looking" });
    node.step(2, { type: "notification", vote, round: 1, state: "looking" });
    expect(drain(node)).toEqual(["1 leaderInfo e5"]);
  });

  it("a retransmitted followerInfo is answered again only while its epoch ack is missing", () => {
    const node = elected();
    expect(info(node, 1)).toEqual(["1 leaderInfo e1"]);
    expect(info(node, 1)).toEqual(["1 leaderInfo e1"]);
    ackEpoch(node, 1, 1);
    expect(info(node, 1)).toEqual([]);
    // A new attempt (a new connection) starts over.
    expect(info(node, 1, { attempt: 2 })).toEqual(["1 leaderInfo e1"]);
  });

  it("a retransmission during discovery is not answered (no epoch yet)", () => {
    const node = elected();
    expect(info(node, 4)).toEqual([]);
    expect(info(node, 4)).toEqual([]);
  });

  it("a learner that promised a higher epoch to someone else sends the leader back to looking", () => {
    const node = elected();
    info(node, 1);
    expect(node.currentRole).toBe("leading");
    info(node, 2, { accepted: 7 });
    expect(node.currentRole).toBe("looking");
  });

  it("ignores an ackEpoch from a member it has not heard followerInfo from, of another epoch, or repeated", () => {
    const node = elected();
    expect(ackEpoch(node, 2, 1)).toEqual([]);
    info(node, 4);
    info(node, 1);
    expect(ackEpoch(node, 1, 2)).toEqual([]);
    expect(ackEpoch(node, 1, 1)).toEqual(["1 diff e1 0x0", "1 newLeader e1 0x0"]);
    expect(ackEpoch(node, 1, 1)).toEqual([]);
    // A stale ack (it had accepted the epoch before) does not count toward the epoch quorum.
    const other = elected();
    info(other, 1);
    expect(ackEpoch(other, 1, 1, { fresh: false })).toEqual([]);
    expect(ackEpoch(other, 1, 1)).toEqual([]);
  });
});

describe("leader: a voter of the epoch quorum with more history makes it step down", () => {
  const epochAckPhase = (): ZabNode => {
    const node = elected({ log: [z(1), z(2)] });
    info(node, 4, { accepted: 1, current: 1, last: z(2) });
    info(node, 1, { accepted: 1, current: 1, last: z(2) });
    return node;
  };

  it("a later currentEpoch, or the same epoch and a later zxid", () => {
    const a = epochAckPhase();
    ackEpoch(a, 1, 2, { current: 2, last: z(1, 2) });
    expect(a.currentRole).toBe("looking");
    const b = epochAckPhase();
    ackEpoch(b, 1, 2, { current: 1, last: z(3) });
    expect(b.currentRole).toBe("looking");
  });

  it("not for equal history, a stale ack, an observer, or an older epoch with a later counter", () => {
    const equal = epochAckPhase();
    expect(ackEpoch(equal, 1, 2, { current: 1, last: z(2) })).toEqual([
      "1 diff e2 0x100000002",
      "1 newLeader e2 0x100000002",
    ]);
    expect(equal.currentRole).toBe("leading");
    const stale = epochAckPhase();
    ackEpoch(stale, 1, 2, { fresh: false, current: 1, last: z(3) });
    expect(stale.currentRole).toBe("leading");
    const observer = epochAckPhase();
    ackEpoch(observer, 4, 2, { current: 1, last: z(3) });
    expect(observer.currentRole).toBe("leading");
    // An older currentEpoch with a later zxid (it had synced entries of the next epoch, unacked).
    const older = epochAckPhase();
    ackEpoch(older, 1, 2, { current: 0, last: z(3) });
    expect(older.currentRole).toBe("leading");
  });

  it("not once the epoch is established (sync or broadcast)", () => {
    const node = epochAckPhase();
    ackEpoch(node, 1, 2, { current: 1, last: z(2) });
    info(node, 2, { accepted: 1, current: 1, last: z(2) });
    ackEpoch(node, 2, 2, { current: 1, last: z(3) });
    expect(node.currentRole).toBe("leading");
  });
});

describe("leader sync: DIFF, TRUNC or SNAP per learner", () => {
  /** Leader with log z1..z4 (epoch 1) after logBase; 1 acks the epoch with `last`. */
  const syncOf = (last: number, o: LeaderOptions = {}): string[] => {
    const node = elected({ log: [z(2), z(3), z(5)], logBase: z(1), committed: z(5), ...o });
    info(node, 1, { accepted: 1, current: 1, last });
    return ackEpoch(node, 1, 2, { current: 1, last });
  };

  it("equal: an empty DIFF; ahead of the leader: TRUNC to the leader's last", () => {
    expect(syncOf(z(5))).toEqual(["1 diff e2 0x100000005", "1 newLeader e2 0x100000005"]);
    // Ahead (a tail never committed) once the epoch is established: TRUNC to the leader's last.
    const node = elected({ log: [z(2), z(3), z(5)], logBase: z(1) });
    info(node, 1, { accepted: 1, current: 1, last: z(5) });
    ackEpoch(node, 1, 2, { current: 1, last: z(5) });
    info(node, 2, { accepted: 1, current: 1, last: z(7) });
    expect(ackEpoch(node, 2, 2, { current: 1, last: z(7) })).toEqual([
      "2 trunc e2 0x100000005",
      "2 newLeader e2 0x100000005",
    ]);
    // Behind, with its last entry in the leader's log: DIFF from there.
    expect(syncOf(z(3))).toEqual([
      "1 diff e2 0x100000003",
      "1 proposal e2 0x100000005 /0x100000005 after 0x100000003",
      "1 newLeader e2 0x100000005",
    ]);
  });

  it("an entry the leader lacks: TRUNC to the leader's entry below it, then the rest", () => {
    expect(syncOf(z(4))).toEqual([
      "1 trunc e2 0x100000003",
      "1 proposal e2 0x100000005 /0x100000005 after 0x100000003",
      "1 newLeader e2 0x100000005",
    ]);
    // Above the leader's first entry: TRUNC to that entry.
    const first = elected({ log: [z(2), z(5)], logBase: z(1), committed: z(5) });
    info(first, 1, { accepted: 1, current: 1, last: z(3) });
    expect(ackEpoch(first, 1, 2, { current: 1, last: z(3) })).toEqual([
      "1 trunc e2 0x100000002",
      "1 proposal e2 0x100000005 /0x100000005 after 0x100000002",
      "1 newLeader e2 0x100000005",
    ]);
    // Below the leader's first entry, above its log base: TRUNC to the log base.
    const node = elected({ log: [z(3)], logBase: z(1), committed: z(3) });
    info(node, 1, { accepted: 1, current: 1, last: z(2) });
    expect(ackEpoch(node, 1, 2, { current: 1, last: z(2) })).toEqual([
      "1 trunc e2 0x100000001",
      "1 proposal e2 0x100000003 /0x100000003 after 0x100000001",
      "1 newLeader e2 0x100000003",
    ]);
  });

  it("behind the log base: SNAP at the applied state, or DIFF from the driver's history when it has every entry", () => {
    expect(syncOf(0)).toEqual(["1 snap e2 0x100000005", "1 newLeader e2 0x100000005"]);
    const older = [entry(z(1))];
    const history = (entries: Entry[], has = true): EntryHistory => ({
      has: () => has,
      between: (after, upTo) => entries.filter((e) => e.zxid > after && e.zxid <= upTo),
    });
    const peer = z(0, 1);
    expect(syncOf(peer, { history: history(older) })).toEqual([
      "1 diff e2 0x100000000",
      "1 proposal e2 0x100000001 /0x100000001 after 0x100000000",
      "1 proposal e2 0x100000002 /0x100000002 after 0x100000001",
      "1 proposal e2 0x100000003 /0x100000003 after 0x100000002",
      "1 proposal e2 0x100000005 /0x100000005 after 0x100000003",
      "1 newLeader e2 0x100000005",
    ]);
    // The history does not know the peer's zxid, or is missing the entries up to the log base: SNAP.
    const snap = ["1 snap e2 0x100000005", "1 newLeader e2 0x100000005"];
    expect(syncOf(peer, { history: history(older, false) })).toEqual(snap);
    expect(syncOf(peer, { history: history([]) })).toEqual(snap);
    expect(syncOf(peer, { history: { has: () => true, between: () => [entry(z(0, 1))] } })).toEqual(snap);
    expect(syncOf(peer, { history: { has: () => true, between: () => undefined } })).toEqual(snap);
  });

  it("SNAP when the applied state is exactly the log base", () => {
    expect(syncOf(0, { log: [], logBase: z(5), committed: z(5) })).toEqual([
      "1 snap e2 0x100000005",
      "1 newLeader e2 0x100000005",
    ]);
  });
});

describe("leader broadcast: acks, commits, informs", () => {
  it("commits on a quorum of voter acks; observers get informs, never commits; learners not synced get nothing", () => {
    const node = broadcasting();
    info(node, 2, { attempt: 2 });
    const p1 = propose(node);
    expect(drain(node)).toEqual(["1 proposal e1 0x100000001 /x after 0x0"]);
    // The observer's ack and an ack before NEWLEADER count for nothing.
    expect(step(node, 4, { type: "ack", epoch: 1, zxid: p1 })).toEqual([]);
    expect(step(node, 2, { type: "ack", epoch: 1, zxid: p1 })).toEqual([]);
    expect(node.commitZxid).toBe(0);
    expect(step(node, 1, { type: "ack", epoch: 2, zxid: p1 })).toEqual([]);
    expect(step(node, 1, { type: "ack", epoch: 1, zxid: p1 })).toEqual([
      "4 inform e1 0x100000001 /x after 0x0",
      "1 commit e1 0x100000001",
    ]);
    expect(node.commitZxid).toBe(p1);
  });

  it("ackNewLeader: only of this epoch from a learner being synced; a lower zxid never lowers its ack", () => {
    const node = elected();
    for (const from of [1, 2]) info(node, from);
    ackEpoch(node, 1, 1);
    expect(step(node, 2, { type: "ackNewLeader", epoch: 1, zxid: 0 })).toEqual([]);
    expect(step(node, 1, { type: "ackNewLeader", epoch: 2, zxid: 0 })).toEqual([]);
    expect(node.isBroadcasting).toBe(false);
    expect(step(node, 1, { type: "ackNewLeader", epoch: 1, zxid: 0 })).toEqual(["1 upToDate e1 commit=0x0"]);
    const p1 = propose(node);
    drain(node);
    step(node, 1, { type: "ack", epoch: 1, zxid: p1 });
    expect(node.commitZxid).toBe(p1);
    ackEpoch(node, 2, 1);
    expect(step(node, 2, { type: "ackNewLeader", epoch: 1, zxid: p1 })).toEqual([
      "2 upToDate e1 commit=0x100000001",
    ]);
    const learners = () => node.learners().map((l) => `${l.id}:${hex(l.ackedZxid)}`);
    expect(learners()).toContain("2:0x100000001");
    step(node, 2, { type: "ackNewLeader", epoch: 1, zxid: 0 });
    expect(learners()).toContain("2:0x100000001");
  });

  it("a NEWLEADER ack can complete a commit (the leader's own entry needs one more voter)", () => {
    const node = elected({ log: [z(1)], committed: 0 });
    for (const from of [1, 2]) info(node, from, { accepted: 1, current: 1 });
    ackEpoch(node, 1, 2, { current: 1 });
    expect(node.commitZxid).toBe(0);
    // The new epoch's history is committed as a whole: UPTODATE says so.
    expect(step(node, 1, { type: "ackNewLeader", epoch: 2, zxid: z(1) })).toEqual([
      "1 upToDate e2 commit=0x100000001",
    ]);
    expect(node.commitZxid).toBe(z(1));
  });
});

describe("leader: learners that join during broadcast", () => {
  it("a voter's NEWLEADER ack covering a proposal commits it at once", () => {
    const node = broadcasting();
    const p1 = propose(node);
    drain(node);
    expect(node.commitZxid).toBe(0);
    info(node, 2, { attempt: 2 });
    ackEpoch(node, 2, 1);
    // In the same step, not at the next advance: the commit leaves with the UPTODATE.
    node.step(2, { type: "ackNewLeader", epoch: 1, zxid: p1 });
    expect(node.commitZxid).toBe(p1);
  });

  it("an observer's NEWLEADER ack never counts toward a commit", () => {
    const node = broadcasting();
    const p1 = propose(node);
    drain(node);
    info(node, 4, { attempt: 2 });
    ackEpoch(node, 4, 1);
    step(node, 4, { type: "ackNewLeader", epoch: 1, zxid: p1 });
    expect(node.commitZxid).toBe(0);
  });
});

describe("leader ticks", () => {
  // Seeded jitter applies to election timeouts only: these deadlines must ignore it.
  const random: Random = { below: (n) => n - 1 };

  it("steps down when the epoch is not established within initLimit", () => {
    const node = elected({ random });
    info(node, 1);
    for (let i = 0; i < 29; i++) node.tick();
    expect(node.currentRole).toBe("leading");
    node.tick();
    expect(node.currentRole).toBe("looking");
  });

  it("pings every heartbeat, forgets a learner silent for syncLimit, steps down without a quorum", () => {
    const node = broadcasting({ random });
    const pings: string[][] = [];
    for (let i = 0; i < 4; i++) {
      node.tick();
      pings.push(drain(node));
      step(node, 1, { type: "ping", epoch: 1 });
      step(node, 4, { type: "ping", epoch: 1 });
    }
    expect(pings).toEqual([
      [],
      ["4 ping e1", "1 ping e1", "2 ping e1"],
      [],
      ["4 ping e1", "1 ping e1", "2 ping e1"],
    ]);
    // 2 was last heard at tick 0, 4 at tick 4, 1 at tick 10: each goes after 10 silent ticks.
    for (let i = 0; i < 6; i++) {
      node.tick();
      drain(node);
      step(node, 1, { type: "ping", epoch: 1 });
    }
    expect(node.learners().map((l) => l.id)).toEqual([4, 1, 2]);
    node.tick();
    expect(node.learners().map((l) => l.id)).toEqual([4, 1]);
    for (let i = 0; i < 9; i++) node.tick();
    expect(node.learners().map((l) => l.id)).toEqual([1]);
    expect(node.currentRole).toBe("leading");
    node.tick();
    expect(node.currentRole).toBe("looking");
  });
});
