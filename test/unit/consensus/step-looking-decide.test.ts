import { describe, expect, it } from "vitest";
import { idsConfig, type MemberConfig } from "../../../server/consensus/member-config.js";
import { looking, lookingMember, settled, step, tick, vote, z } from "./looking-harness.js";

// When a looking member decides (step-looking.ts), found by mutation testing: the quorum, the
// finalize wait (decideAt), joining a leader that a quorum already follows, and the election
// timeout's re-broadcast.

const versioned = (version: number, voters: number[], observers: number[] = []): MemberConfig => ({
  ...idsConfig(voters, observers),
  version,
});

describe("a quorum agreeing", () => {
  it("waits FINALIZE_WAIT_TICKS from the tick the quorum formed, not moved by later votes", () => {
    const s = lookingMember(1, idsConfig([1, 2, 3, 4, 5]), { zxid: z(9) });
    for (let i = 0; i < 5; i++) expect(tick(s)).toEqual([]);
    step(s, 2, looking(vote(1, z(9))));
    expect(s.decideAt).toBe(-1);
    step(s, 3, looking(vote(1, z(9))));
    expect(s.decideAt).toBe(7);
    tick(s);
    step(s, 4, looking(vote(1, z(9))));
    expect([s.role, s.decideAt]).toEqual(["looking", 7]);
    tick(s);
    expect(s.role).toBe("leading");
  });

  it("decides at once when every voter agrees", () => {
    const s = lookingMember(3, idsConfig([1, 2, 3]), { zxid: z(9) });
    step(s, 1, looking(vote(3, z(9))));
    expect([s.role, s.decideAt]).toEqual(["looking", 2]);
    step(s, 2, looking(vote(3, z(9))));
    expect(s.role).toBe("leading");
  });

  it("follows the agreed leader", () => {
    const s = lookingMember(1, idsConfig([1, 2, 3]));
    step(s, 2, looking(vote(3, z(9))));
    expect(step(s, 3, looking(vote(3, z(9))))).toEqual(["3 followerInfo accepted=e0 current=e0 last=0x0"]);
    expect([s.role, s.leader]).toEqual(["following", 3]);
  });

  it("a better vote that breaks the quorum cancels the wait, and the new quorum waits anew", () => {
    const s = lookingMember(1, idsConfig([1, 2, 3, 4, 5]), { zxid: z(5) });
    step(s, 2, looking(vote(1, z(5))));
    step(s, 3, looking(vote(1, z(5))));
    expect(s.decideAt).toBe(2);
    step(s, 4, looking(vote(4, z(8))));
    expect([s.vote, s.decideAt]).toEqual([vote(4, z(8)), -1]);
    tick(s);
    step(s, 2, looking(vote(4, z(8))));
    expect(s.decideAt).toBe(3);
    tick(s);
    expect(s.role).toBe("looking");
    tick(s);
    expect([s.role, s.leader]).toEqual(["following", 4]);
  });

  it("counts only the current voters when asking whether every voter agrees", () => {
    const s = lookingMember(1, idsConfig([1, 2, 3, 4]));
    step(s, 4, looking(vote(1)));
    // A newer configuration without 4 arrives (ZabNode activates it); 4's vote stays recorded.
    const smaller = versioned(5, [1, 2, 3]);
    s.activate(smaller);
    step(s, 2, looking(vote(1), 1, { config: smaller }));
    expect([s.role, s.decideAt]).toEqual(["looking", 2]);
  });

  it("a member no configuration has never decides, whatever its peers agree on", () => {
    const s = lookingMember(4, versioned(5, [1, 2, 3]));
    step(s, 1, looking(vote(1)));
    step(s, 2, looking(vote(1)));
    step(s, 3, looking(vote(1)));
    expect([s.vote, s.role, s.decideAt]).toEqual([vote(1), "looking", -1]);
    tick(s);
    tick(s);
    expect(s.role).toBe("looking");
  });
});

describe("the finalize wait on ticks", () => {
  it("a lone voter left by a reconfig elects itself on its next tick", () => {
    const s = lookingMember(1, idsConfig([1, 2, 3]));
    s.activate(versioned(5, [1], [2, 3]));
    tick(s);
    expect(s.role).toBe("leading");
  });

  it("waits out decideAt even when a smaller configuration makes the agreement unanimous", () => {
    const s = lookingMember(1, idsConfig([1, 2, 3, 4, 5]));
    step(s, 2, looking(vote(1)));
    step(s, 3, looking(vote(1)));
    expect(s.decideAt).toBe(2);
    s.activate(versioned(5, [1, 2, 3]));
    tick(s);
    expect(s.role).toBe("looking");
    tick(s);
    expect(s.role).toBe("leading");
  });

  it("at decideAt, a quorum lost meanwhile decides nothing, and a new one waits again", () => {
    const s = lookingMember(1, idsConfig([1, 2, 3, 4, 5]), { zxid: z(5) });
    step(s, 2, looking(vote(1, z(5))));
    step(s, 3, looking(vote(1, z(5))));
    expect(step(s, 4, looking(vote(4, z(2))))).toEqual([
      "4 notification vote=1/e1/0x100000005 round=1 looking",
    ]);
    expect(s.decideAt).toBe(2);
    // Seven voters now: 1, 2 and 3 agree, four votes in all (4's for itself).
    s.activate(versioned(5, [1, 2, 3, 4, 5, 6, 7]));
    tick(s);
    tick(s);
    expect([s.role, s.decideAt]).toEqual(["looking", -1]);
    step(s, 5, looking(vote(1, z(5))));
    expect(s.decideAt).toBe(4);
    tick(s);
    expect(s.role).toBe("looking");
    tick(s);
    expect(s.role).toBe("leading");
  });
});

describe("the election timeout", () => {
  it("re-broadcasts the vote at the deadline, with seeded jitter, and stays in its round", () => {
    // below(10) gives 3: the first deadline is 0 + 10 + 3, the next 13 + 10 + 3.
    const s = lookingMember(1, idsConfig([1, 2, 3]), { random: { below: (n) => n - 7 } });
    expect(s.deadline).toBe(13);
    for (let i = 0; i < 12; i++) expect(tick(s)).toEqual([]);
    expect(tick(s)).toEqual([
      "2 notification vote=1/e0/0x0 round=1 looking",
      "3 notification vote=1/e0/0x0 round=1 looking",
    ]);
    expect([s.deadline, s.round]).toEqual([26, 1]);
  });
});

describe("joining a leader that a quorum follows", () => {
  it("follows once a quorum backs a member that says it leads", () => {
    const s = lookingMember(3, idsConfig([1, 2, 3]));
    expect(step(s, 2, settled(1, "following"))).toEqual([]);
    expect(s.role).toBe("looking");
    expect(step(s, 1, settled(1, "leading"))).toEqual(["1 followerInfo accepted=e0 current=e0 last=0x0"]);
    expect([s.role, s.leader, s.invited]).toEqual(["following", 1, false]);
  });

  it("a leader alone is no quorum, and backers of another leader do not count", () => {
    const s = lookingMember(3, idsConfig([1, 2, 3]));
    step(s, 2, settled(4, "following"));
    expect(step(s, 1, settled(1, "leading"))).toEqual([]);
    expect(s.role).toBe("looking");
  });

  it("records each settled member's leader, state and configurations as sent", () => {
    const five = idsConfig([1, 2, 3, 4, 5]);
    const s = lookingMember(3, five);
    const pending = versioned(z(1), [1, 2, 3, 4, 5, 6]);
    step(s, 1, settled(1, "leading", { config: five, pending }));
    step(s, 2, settled(1, "following"));
    expect(s.role).toBe("looking");
    expect(s.outOfElection.get(1)).toStrictEqual({ leader: 1, state: "leading", config: five, pending });
    expect(s.outOfElection.get(2)).toStrictEqual({ leader: 1, state: "following" });
  });

  it("a joiner follows by a quorum of the leader's configuration when it is as new as its own", () => {
    // Member 4 started with the ensemble plus itself; the ensemble's view has 1, 2, 3.
    const s = lookingMember(4, idsConfig([1, 2, 3, 4]));
    const theirs = idsConfig([1, 2, 3]);
    step(s, 2, settled(1, "following", { config: theirs }));
    expect(step(s, 1, settled(1, "leading", { config: theirs }))).toEqual([
      "1 followerInfo accepted=e0 current=e0 last=0x0",
    ]);
    expect([s.role, s.leader]).toEqual(["following", 1]);
  });

  it("not by the leader's configuration when it is older than its own", () => {
    const s = lookingMember(4, versioned(5, [1, 2, 3, 4, 5]));
    const old = idsConfig([1, 2, 3]);
    step(s, 2, settled(1, "following", { config: old }));
    step(s, 1, settled(1, "leading", { config: old }));
    expect(s.role).toBe("looking");
  });

  it("a member of no configuration follows a leader whose pending reconfig adds it", () => {
    const s = lookingMember(4, versioned(5, [1, 2, 3]));
    step(s, 2, settled(1, "following"));
    const adds = versioned(z(1), [1, 2, 3, 4]);
    expect(step(s, 1, settled(1, "leading", { pending: adds }))).toEqual([
      "1 followerInfo accepted=e0 current=e0 last=0x0 observer",
    ]);
    expect([s.role, s.leader, s.invited]).toEqual(["observing", 1, true]);
  });

  it("and not a leader without a pending reconfig or whose reconfig does not add it", () => {
    for (const pending of [undefined, versioned(z(1), [1, 2, 3, 5])]) {
      const s = lookingMember(4, versioned(5, [1, 2, 3]));
      step(s, 2, settled(1, "following"));
      expect(step(s, 1, settled(1, "leading", pending === undefined ? {} : { pending }))).toEqual([]);
      expect(s.role).toBe("looking");
    }
  });
});

describe("the leader's own quorum", () => {
  it("counts when its configuration is as new as ours, though ours is not reached", () => {
    // Our five voters need three backers; the leader's three voters need two.
    const s = lookingMember(5, versioned(5, [1, 2, 3, 4, 5]));
    const theirs = versioned(5, [1, 2, 3]);
    step(s, 2, settled(1, "following", { config: theirs }));
    step(s, 1, settled(1, "leading", { config: theirs }));
    expect(s.role).toBe("following");
  });
});
