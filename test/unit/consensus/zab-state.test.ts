import { describe, expect, it } from "vitest";
import { idsConfig, type MemberConfig } from "../../../server/consensus/member-config.js";
import type { Entry } from "../../../server/consensus/ready.js";
import { type Random, type Timing, ZabState } from "../../../server/consensus/zab-state.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { txnOf } from "../../sim/disk.js";
import { describeMessage } from "./golden-harness.js";

// The state shared by the role step functions, method by method (found by mutation testing,
// docs/TESTING.md): joint-consensus quorums, the configurations a reconfig makes pending and
// active, truncation and its cuts, and the log's bounds. Member 1 of voters 1, 2, 3 and observer 4.

const z = (counter: number, epoch = 1) => makeZxid(epoch, counter);
const timing: Timing = { electionTimeoutTicks: 10, initLimitTicks: 8, syncLimitTicks: 3, heartbeatTicks: 2 };
const entry = (zxid: number): Entry => ({ zxid, txn: txnOf({ $case: "delete", value: { path: "/x" } }) });
const reconfig = (zxid: number, voters: number[], observers: number[] = []): Entry => ({
  zxid,
  txn: txnOf({ $case: "reconfig", value: { members: [...idsConfig(voters, observers).members] } }),
});
const fixed = (n: number): Random => ({ below: (max) => Math.min(n, max - 1) });

function state(
  o: {
    id?: number;
    config?: MemberConfig;
    log?: Entry[];
    logBase?: number;
    committed?: number;
    accepted?: number;
    current?: number;
    random?: Random;
  } = {},
): ZabState {
  const log = o.log ?? [];
  return new ZabState(o.id ?? 1, o.config ?? idsConfig([1, 2, 3], [4]), timing, o.random, {
    acceptedEpoch: o.accepted ?? 0,
    currentEpoch: o.current ?? 0,
    lastZxid: log.at(-1)?.zxid ?? o.logBase ?? 0,
    log,
    logBase: o.logBase ?? 0,
    committedZxid: o.committed ?? 0,
  });
}

/** The outbox as golden-trace lines, emptied. */
function sent(s: ZabState): string[] {
  const lines = s.outbox.map((o) => `${o.to} ${describeMessage(o.message)}`);
  s.outbox = [];
  return lines;
}

describe("a new state", () => {
  it("starts looking in the election with nothing dirty, no leader and no cuts", () => {
    const s = state();
    expect([s.role, s.phase, s.hardStateDirty, s.configDirty]).toEqual(["looking", "election", false, false]);
    expect([s.decideAt, s.leader, s.invited, s.cuts]).toEqual([-1, -1, false, []]);
  });
});

describe("membership with pending reconfigs", () => {
  /** Active: voters 1, 2, 3, observer 4; pending: v5 adds voter 5, v6 adds observer 6 too. */
  function joint(): ZabState {
    const s = state();
    s.noteEntry(reconfig(z(5), [1, 2, 3, 5], [4]));
    s.noteEntry(reconfig(z(6), [1, 2, 3, 5], [4, 6]));
    return s;
  }

  it("knows the members of every configuration and nobody else", () => {
    const s = joint();
    expect([1, 4, 5, 6].map((id) => s.knows(id))).toEqual([true, true, true, true]);
    expect(s.knows(7)).toBe(false);
    expect(state().knows(5)).toBe(false);
  });

  it("counts a pending configuration's voters as voters, its observers not", () => {
    const s = joint();
    expect([s.isVoterAnywhere(5), s.isVoterAnywhere(6), s.isVoterAnywhere(4)]).toEqual([true, false, false]);
  });

  it("needs a quorum of the active voters and of every pending configuration's", () => {
    const s = joint();
    expect(s.quorum([1, 2, 5])).toBe(true);
    // 1 and 2 are a quorum of three, not of the four the reconfig would make.
    expect(s.quorum([1, 2])).toBe(false);
    expect(s.quorum([3, 5, 1])).toBe(true);
    expect(s.quorum([3, 5, 4, 6])).toBe(false);
  });

  it("notes a reconfig newer than the active one and ignores one that is not", () => {
    const s = state({ config: { ...idsConfig([1, 2, 3]), version: z(5) } });
    s.noteEntry(entry(z(6)));
    s.noteEntry(reconfig(z(5), [1, 2]));
    s.noteEntry(reconfig(z(4), [1, 2]));
    expect([s.pendingConfigs, s.configDirty]).toEqual([[], false]);
    s.noteEntry(reconfig(z(7), [1, 2]));
    expect(s.pendingConfigs).toEqual([
      { config: { version: z(7), members: idsConfig([1, 2]).members }, voters: new Set([1, 2]) },
    ]);
    expect(s.configDirty).toBe(true);
  });

  it("activates a newer configuration, drops the pending ones it covers, and ignores an older one", () => {
    const s = joint();
    s.configDirty = false;
    s.activate({ version: 0, members: idsConfig([9]).members });
    expect([s.activeConfig.version, s.configDirty]).toEqual([0, false]);
    const v5 = s.pendingConfigs[0]!.config;
    s.activate(v5);
    expect(s.activeConfig).toBe(v5);
    expect([...s.voters]).toEqual([1, 2, 3, 5]);
    expect([...s.observers]).toEqual([4]);
    expect(s.pendingConfigs.map((p) => p.config.version)).toEqual([z(6)]);
    expect(s.configDirty).toBe(true);
  });

  it("a leader forgets the learners the new configuration removed, and only a leader", () => {
    for (const role of ["leading", "following"] as const) {
      const s = state({ id: 3 });
      s.noteEntry(reconfig(z(5), [1, 3], []));
      s.noteEntry(reconfig(z(6), [1, 3], [4]));
      s.role = role;
      for (const id of [1, 2, 4]) s.learners.set(id, {} as never);
      s.activate(s.pendingConfigs[0]!.config);
      // 2 is in neither configuration; 4 is not in the active one but the pending one keeps it.
      expect([...s.learners.keys()]).toEqual(role === "leading" ? [1, 4] : [1, 2, 4]);
    }
  });

  it("activates exactly the pending configurations the commit point reached", () => {
    const s = joint();
    s.commitZxid = z(5) - 1;
    s.activateCommitted();
    expect(s.activeConfig.version).toBe(0);
    s.commitZxid = z(5);
    s.activateCommitted();
    expect([s.activeConfig.version, s.pendingConfigs.length]).toEqual([z(5), 1]);
    s.commitZxid = z(9);
    s.activateCommitted();
    expect([s.activeConfig.version, s.pendingConfigs.length]).toEqual([z(6), 0]);
  });

  it("a notification carries the newest pending configuration", () => {
    const s = joint();
    const n = s.notification();
    expect(n.type === "notification" && n.pending?.version).toBe(z(6));
    const plain = state().notification();
    expect("pending" in plain).toBe(false);
  });
});

describe("epochs and deadlines", () => {
  it("acceptedEpoch never goes back; the same one again is allowed and dirties the hard state", () => {
    const s = state({ accepted: 3, current: 2 });
    expect(() => s.setAcceptedEpoch(2)).toThrow("acceptedEpoch never goes back");
    s.setAcceptedEpoch(3);
    expect([s.acceptedEpoch, s.hardStateDirty]).toEqual([3, true]);
  });

  it("currentEpoch stays between itself and acceptedEpoch", () => {
    const s = state({ accepted: 3, current: 2 });
    expect(() => s.setCurrentEpoch(1)).toThrow("currentEpoch within bounds");
    expect(() => s.setCurrentEpoch(4)).toThrow("currentEpoch within bounds");
    expect(s.hardStateDirty).toBe(false);
    s.setCurrentEpoch(3);
    expect([s.currentEpoch, s.hardStateDirty]).toEqual([3, true]);
  });

  it("only a jittered deadline takes the seeded extra ticks", () => {
    const s = state({ random: fixed(4) });
    s.now = 7;
    s.resetDeadline(10, true);
    expect(s.deadline).toBe(21);
    s.resetDeadline(10, false);
    expect(s.deadline).toBe(17);
  });
});

describe("the log", () => {
  const log = () => [entry(z(2)), entry(z(3)), entry(z(5))];

  it("finds the zxid before an entry, the log base for the first", () => {
    const s = state({ log: log(), logBase: z(1) });
    expect([z(2), z(3), z(5)].map((x) => s.zxidBefore(x))).toEqual([z(1), z(2), z(3)]);
    expect(state({ logBase: z(1) }).zxidBefore(z(2))).toBe(z(1));
  });

  it("has the log base and each entry, not the gaps", () => {
    const s = state({ log: log(), logBase: z(1) });
    expect([z(1), z(2), z(3), z(4), z(5), z(6)].map((x) => s.hasZxid(x))).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
    ]);
  });

  it("appends only growing zxids", () => {
    const s = state({ log: log() });
    expect(() => s.append(entry(z(5)))).toThrow("log zxids must grow");
    s.append(entry(z(6)));
    expect(s.lastZxid).toBe(z(6));
  });

  it("refuses to truncate below the commit point or the log base, naming both zxids", () => {
    const s = state({ log: log(), logBase: z(1), committed: z(3) });
    expect(() => s.truncate(z(2))).toThrow(`TRUNC to ${z(2)} below the committed ${z(3)}`);
    s.commitZxid = 0;
    expect(() => s.truncate(0)).toThrow("TRUNC below the in-memory log");
  });

  it("truncation lowers what was handed out and persisted, and records each cut in a new generation", () => {
    const s = state({ log: [...log(), entry(z(6))] });
    s.truncate(z(5));
    s.truncate(z(3));
    expect([s.lastZxid, s.handedPersistZxid, s.persistedZxid, s.truncateTo]).toEqual([
      z(3),
      z(3),
      z(3),
      z(3),
    ]);
    expect(s.cuts).toEqual([
      { generation: 1, to: z(5) },
      { generation: 2, to: z(3) },
    ]);
    // A later, higher truncation does not raise the point the driver must cut to.
    s.append(entry(z(4)));
    s.truncate(z(4));
    expect([s.truncateTo, s.handedPersistZxid]).toEqual([z(3), z(3)]);
  });

  it("truncation drops the reconfigs it cuts and keeps those below", () => {
    const s = state({ log: [entry(z(2)), reconfig(z(3), [1, 2]), reconfig(z(4), [1, 3])] });
    for (const e of s.log) s.noteEntry(e);
    s.configDirty = false;
    s.truncate(z(4));
    expect([s.pendingConfigs.length, s.configDirty]).toEqual([2, false]);
    s.truncate(z(3));
    expect(s.pendingConfigs.map((p) => p.config.version)).toEqual([z(3)]);
    expect(s.configDirty).toBe(true);
  });

  it("live history of a Ready cut at a generation: the lowest later cut", () => {
    const s = state({ log: [entry(z(2)), entry(z(3)), entry(z(5))] });
    s.truncate(z(5));
    s.truncate(z(3));
    s.cuts.push({ generation: 3, to: z(4) });
    expect([0, 1, 2, 3].map((g) => s.liveUpTo(g))).toEqual([z(3), z(3), z(4), Number.POSITIVE_INFINITY]);
  });

  it("a snapshot replaces the log, every commit point and every pending reconfig", () => {
    const s = state({ log: [reconfig(1, [1, 2]), entry(2)] });
    for (const e of s.log) s.noteEntry(e);
    s.truncateTo = 1;
    s.configDirty = false;
    s.installSnapshot(z(7));
    expect([s.log, s.logBase, s.lastZxid, s.persistedZxid, s.handedPersistZxid]).toEqual([
      [],
      z(7),
      z(7),
      z(7),
      z(7),
    ]);
    expect([s.commitZxid, s.committedOutZxid, s.appliedZxid, s.snapshotZxid, s.truncateTo]).toEqual([
      z(7),
      z(7),
      z(7),
      z(7),
      undefined,
    ]);
    expect(s.cuts).toEqual([{ generation: 1, to: -1 }]);
    expect([s.pendingConfigs, s.configDirty]).toEqual([[], true]);
  });

  it("trims applied entries in chunks of a quarter of the maximum", () => {
    const ten = Array.from({ length: 10 }, (_, i) => entry(z(i + 1)));
    const s = state({ log: ten, committed: z(10) });
    s.appliedZxid = z(10);
    s.trimLog(8);
    expect([s.log.length, s.logBase]).toEqual([10, 0]);
    s.append(entry(z(11)));
    s.trimLog(8);
    expect([s.log.length, s.logBase]).toEqual([8, z(3)]);
  });

  it("never trims an entry not yet applied", () => {
    const s = state({ log: Array.from({ length: 11 }, (_, i) => entry(z(i + 1))) });
    s.appliedZxid = z(2);
    s.trimLog(8);
    expect([s.log.length, s.logBase, s.log[0]!.zxid]).toEqual([9, z(2), z(3)]);
    s.appliedZxid = 0;
    s.trimLog(4);
    expect(s.log.length).toBe(9);
  });

  it("the epoch of the last zxid", () => {
    expect(state({ log: [entry(z(3, 5))] }).zxidEpochOfLast()).toBe(5);
  });
});

describe("roles", () => {
  it("resetRole clears every role's volatile state", () => {
    const s = state();
    Object.assign(s, { decideAt: 5, leader: 3, invited: true, newLeaderAckZxid: 4, newEpoch: 2 });
    s.votes.set(2, s.vote);
    s.resetRole("following", "sync");
    expect([s.role, s.phase, s.decideAt, s.leader, s.invited, s.newLeaderAckZxid, s.newEpoch]).toEqual([
      "following",
      "sync",
      -1,
      -1,
      false,
      undefined,
      0,
    ]);
    expect(s.votes.size).toBe(0);
  });

  it("looking: a voter votes for itself and tells everyone, with a jittered timeout", () => {
    const s = state({ log: [entry(z(2))], current: 1, accepted: 1, random: fixed(3) });
    s.becomeFollowing(3);
    s.outbox = [];
    s.becomeLooking();
    expect([s.role, s.phase, s.round, s.deadline]).toEqual(["looking", "election", 1, 13]);
    expect([...s.votes]).toEqual([[1, { leader: 1, epoch: 1, zxid: z(2) }]]);
    expect(sent(s)).toEqual(
      [2, 3, 4].map((to) => `${to} notification vote=1/e1/0x100000002 round=1 looking`),
    );
  });

  it("looking: an observer votes for nobody", () => {
    const s = state({ id: 4 });
    s.becomeLooking();
    expect(s.votes.size).toBe(0);
  });

  it("following: not itself; a fresh attempt each time, with an exact initLimit deadline", () => {
    const s = state({ random: fixed(5) });
    expect(() => s.becomeFollowing(1)).toThrow("a member does not follow itself");
    expect(() => s.send(1, { type: "ping", epoch: 0 })).toThrow("a member does not send to itself");
    s.now = 2;
    s.becomeFollowing(3);
    expect([s.role, s.phase, s.leader, s.heardTick, s.deadline]).toEqual([
      "following",
      "discovery",
      3,
      2,
      10,
    ]);
    s.becomeFollowing(3);
    expect(s.followAttempt).toBe(2);
    expect(s.outbox.map((o) => o.message)).toEqual(
      [1, 2].map((attempt) => ({
        type: "followerInfo",
        attempt,
        acceptedEpoch: 0,
        currentEpoch: 0,
        lastZxid: 0,
        observer: false,
      })),
    );
  });

  it("an observer observes", () => {
    const s = state({ id: 4 });
    s.becomeFollowing(3);
    expect(s.role).toBe("observing");
    expect(sent(s)).toEqual(["3 followerInfo accepted=e0 current=e0 last=0x0 observer"]);
  });
});
