import { describe, expect, it } from "vitest";
import { idsConfig, type MemberConfig } from "../../../server/consensus/member-config.js";
import { txnOf } from "../../sim/disk.js";
import { counted, looking, lookingMember, sent, settled, step, vote, z } from "./looking-harness.js";

// Fast leader election's vote handling (step-looking.ts), found by mutation testing: which votes
// count, in which round, and which candidates a member may adopt. Member 1 of voters 1, 2, 3 and
// observer 4 unless a test says otherwise; its own history ends at 0x100000005.

const ensemble = idsConfig([1, 2, 3], [4]);
const mine = z(5);
const own = vote(1, mine);
const member = () => lookingMember(1, ensemble, { zxid: mine });

describe("what a looking member counts", () => {
  it("ignores messages other than notifications", () => {
    const s = member();
    expect(step(s, 2, { type: "ping", epoch: 1 })).toEqual([]);
    expect(step(s, 2, { type: "leaderInfo", epoch: 7 })).toEqual([]);
    expect([s.round, counted(s), s.vote]).toEqual([1, [1], own]);
  });

  it("answers an observer's vote with its own and never counts it", () => {
    const s = member();
    expect(step(s, 4, looking(vote(4, z(99)), 5))).toEqual([
      "4 notification vote=1/e1/0x100000005 round=1 looking",
    ]);
    expect([s.round, counted(s), s.vote]).toEqual([1, [1], own]);
    // An observer that follows someone is not answered and not recorded as following.
    expect(step(s, 4, settled(2, "observing"))).toEqual([]);
    expect(s.outOfElection.size).toBe(0);
  });

  it("answers a vote of an older round with its own, without counting it", () => {
    const s = member();
    s.becomeLooking();
    s.becomeLooking();
    sent(s);
    expect(step(s, 2, looking(own, 2))).toEqual(["2 notification vote=1/e1/0x100000005 round=3 looking"]);
    expect([s.round, counted(s), s.decideAt]).toEqual([3, [1], -1]);
  });

  it("answers a worse vote of its round with its own, and counts it", () => {
    const s = member();
    expect(step(s, 2, looking(vote(2, z(3))))).toEqual([
      "2 notification vote=1/e1/0x100000005 round=1 looking",
    ]);
    expect(counted(s)).toEqual([1, 2]);
    expect(s.vote).toEqual(own);
  });
});

describe("a newer round", () => {
  it("moves to it keeping its own vote when that is better, and re-broadcasts", () => {
    const s = member();
    s.votes.set(3, vote(3, z(9)));
    expect(step(s, 2, looking(vote(2, z(3)), 3))).toEqual([
      "2 notification vote=1/e1/0x100000005 round=3 looking",
      "3 notification vote=1/e1/0x100000005 round=3 looking",
      "4 notification vote=1/e1/0x100000005 round=3 looking",
    ]);
    expect(s.round).toBe(3);
    // The older round's votes are gone; its own and the sender's count.
    expect([...s.votes]).toEqual([
      [1, own],
      [2, vote(2, z(3))],
    ]);
  });

  it("adopts a better vote of a candidate", () => {
    const s = member();
    const better = vote(3, z(7));
    expect(step(s, 2, looking(better, 2))).toEqual([
      "2 notification vote=3/e1/0x100000007 round=2 looking",
      "3 notification vote=3/e1/0x100000007 round=2 looking",
      "4 notification vote=3/e1/0x100000007 round=2 looking",
    ]);
    expect(s.vote).toEqual(better);
    expect([...s.votes]).toEqual([
      [1, better],
      [2, better],
    ]);
  });

  it("keeps its own vote against a better one for a member that is no candidate", () => {
    const s = member();
    step(s, 2, looking(vote(7, z(50)), 2));
    expect(s.vote).toEqual(own);
    expect(s.votes.get(1)).toEqual(own);
  });

  it("a voter of a pending configuration only is no candidate: it adopts even a worse vote", () => {
    // Member 4 observes the active configuration; a reconfig not yet committed makes it a voter.
    const s = lookingMember(4, idsConfig([1, 2, 3], [4]), { zxid: z(9) });
    s.noteEntry({ zxid: z(2), txn: reconfig(idsConfig([1, 2, 3, 4])) });
    const worse = vote(1, z(2));
    step(s, 1, looking(worse, 2));
    expect(s.vote).toEqual(worse);
    expect([...s.votes]).toEqual([
      [4, worse],
      [1, worse],
    ]);
  });

  it("an observer adopts the vote and never counts itself", () => {
    const s = lookingMember(4, ensemble, { zxid: z(9) });
    expect(counted(s)).toEqual([]);
    step(s, 1, looking(vote(1, z(2)), 2));
    expect([s.round, s.vote, counted(s)]).toEqual([2, vote(1, z(2)), [1]]);
    // In its round too.
    step(s, 2, looking(vote(2, z(3)), 2));
    expect([s.vote, counted(s)]).toEqual([vote(2, z(3)), [1, 2]]);
  });
});

describe("candidates: our voters, and the sender's when its configuration is as new", () => {
  const better = vote(3, z(9));

  it("adopts a better vote sent without a configuration", () => {
    const s = member();
    expect(step(s, 2, looking(better))).toHaveLength(3);
    expect(s.vote).toEqual(better);
  });

  it("not for a member the sender's configuration of the same version lacks", () => {
    const s = member();
    expect(step(s, 2, looking(better, 1, { config: idsConfig([1, 2]) }))).toEqual([]);
    expect(s.vote).toEqual(own);
    expect(s.votes.get(2)).toEqual(better);
  });

  it("not for a member the sender's configuration has as an observer", () => {
    const s = member();
    expect(step(s, 2, looking(better, 1, { config: idsConfig([1, 2], [3]) }))).toEqual([]);
    expect(s.vote).toEqual(own);
  });

  it("for a member the sender's configuration has as a voter", () => {
    const s = member();
    expect(step(s, 2, looking(better, 1, { config: idsConfig([1, 2, 3]) }))).toHaveLength(3);
    expect(s.vote).toEqual(better);
  });

  it("the sender's older configuration is not read", () => {
    const s = lookingMember(1, versioned(5, [1, 2, 3]), { zxid: mine });
    step(s, 2, looking(better, 1, { config: idsConfig([1, 2]) }));
    expect(s.vote).toEqual(better);
  });

  it("the sender's newer configuration is read", () => {
    const s = member();
    step(s, 2, looking(better, 1, { config: versioned(5, [1, 2]) }));
    expect(s.vote).toEqual(own);
  });

  it("never for a member outside our voters, whatever the sender's configuration says", () => {
    const s = member();
    expect(step(s, 2, looking(vote(5, z(9)), 1, { config: idsConfig([1, 2, 3, 5]) }))).toEqual([]);
    expect(s.vote).toEqual(own);
  });
});

function versioned(version: number, voters: number[]): MemberConfig {
  return { ...idsConfig(voters), version };
}

const reconfig = (config: MemberConfig) =>
  txnOf({ $case: "reconfig", value: { members: [...config.members] } });
