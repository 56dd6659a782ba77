import { describe, expect, it } from "vitest";
import { idsConfig } from "../../../server/consensus/member-config.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { ensemble, flush, lookingNote, member, reconfigTxn, txn } from "./zab-node-harness.js";

/**
 * ZabNode's own API (not the role steps): constructor checks, getters, what may be proposed, the
 * stranger path, peer disconnects and reconfigs that remove a leader or an observer. A real
 * ZabNode driven Ready by Ready; every assertion is on exact outputs.
 */
describe("ZabNode's constructor", () => {
  const base = { acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax: 1 };
  it("refuses a configuration without voters, with duplicate ids, or without this member", () => {
    expect(() => new ZabNode({ ...base, id: 1, voters: [] })).toThrow("voters: at least one");
    expect(() => new ZabNode({ ...base, id: 1, voters: [1, 1] })).toThrow("configuration: distinct ids");
    expect(() => new ZabNode({ ...base, id: 5, voters: [1, 2, 3] })).toThrow(
      "this member is a voter or an observer",
    );
  });

  it("lets a member a reconfig removed (version > 0) start, looking", () => {
    const node = member(5, { ...idsConfig([1, 2, 3]), version: makeZxid(1, 4) });
    expect(node.currentRole).toBe("looking");
    expect(node.leaderId).toBe(-1);
  });

  it("refuses a recovered log whose last entry is not lastZxid", () => {
    const log = [{ zxid: makeZxid(1, 1), txn: txn() }];
    expect(() => new ZabNode({ ...base, id: 1, voters: [1], log, lastZxid: makeZxid(1, 2) })).toThrow(
      "lastZxid is the last recovered entry",
    );
    expect(new ZabNode({ ...base, id: 1, voters: [1], log, lastZxid: makeZxid(1, 1) }).lastZxid).toBe(
      makeZxid(1, 1),
    );
  });
});

describe("ZabNode's getters and proposal gate", () => {
  it("reports the active and the pending configuration of a lone leader", () => {
    const node = member(1, idsConfig([1]), 3);
    expect(node.activeConfig).toEqual(idsConfig([1]));
    expect(node.pendingConfig).toBeUndefined();
    const zxid = node.propose(reconfigTxn(idsConfig([1], [2])));
    expect(node.pendingConfig).toEqual({ ...idsConfig([1], [2]), version: zxid });
    expect(node.activeConfig).toEqual(idsConfig([1]));
    // The driver persists both: the active one and the pending one the log holds.
    expect(node.ready().config).toEqual({
      active: idsConfig([1]),
      pending: [{ ...idsConfig([1], [2]), version: zxid }],
    });
  });

  it("counts proposals in flight until applied, and gates on proposalsInFlightMax", () => {
    const node = member(1, idsConfig([1]), 3);
    expect(node.canPropose()).toBe(true);
    node.propose(txn());
    node.propose(txn());
    expect(node.inFlightCount).toBe(2);
    expect(node.canPropose()).toBe(true);
    node.propose(txn());
    expect(node.inFlightCount).toBe(3);
    expect(node.canPropose()).toBe(false);
    expect(() => node.propose(txn())).toThrow("proposalsInFlightMax exceeded");
    flush(node);
    expect(flush(node).committed).toHaveLength(3);
    expect(node.inFlightCount).toBe(0);
    expect(node.canPropose()).toBe(true);
    node.propose(txn());
    expect(node.inFlightCount).toBe(1);
  });

  it("lets only a broadcasting leader propose", () => {
    const { leader, followers, observer } = ensemble();
    expect(leader.canPropose()).toBe(true);
    expect(leader.leaderId).toBe(leader.serverId);
    for (const learner of [...followers, observer]) {
      expect(learner.leaderId).toBe(leader.serverId);
      expect(learner.canPropose()).toBe(false);
      expect(() => learner.propose(txn())).toThrow("propose on a member that does not lead");
    }
  });

  it("refuses proposals from a leader still in discovery", () => {
    const config = idsConfig([1, 2, 3]);
    const nodes = new Map([1, 2, 3].map((id) => [id, member(id, config)] as const));
    // Deliver one Ready at a time and stop at the first member that leads.
    let leader: ZabNode | undefined;
    for (let step = 0; step < 2000 && leader === undefined; step++) {
      const node = [...nodes.values()].find((n) => n.hasReady());
      if (node === undefined) {
        for (const n of nodes.values()) n.tick();
        continue;
      }
      const ready = flush(node);
      for (const { to, message } of ready.messages) nodes.get(to)?.step(node.serverId, message);
      leader = [...nodes.values()].find((n) => n.currentRole === "leading");
    }
    expect(leader?.isBroadcasting).toBe(false);
    expect(leader?.canPropose()).toBe(false);
    expect(() => leader?.propose(txn())).toThrow("propose on a member that does not lead");
  });
});

describe("ZabNode.step on the edges", () => {
  it("ignores a message that claims to come from this member", () => {
    const { leader } = ensemble();
    leader.step(leader.serverId, lookingNote(leader));
    expect(leader.hasReady()).toBe(false);
  });

  it("answers a stranger's looking notification when settled, with its configuration, and nothing else", () => {
    const { leader, followers } = ensemble();
    const follower = followers[0]!;
    for (const node of [leader, follower]) {
      node.step(9, {
        type: "notification",
        vote: { leader: 9, epoch: 0, zxid: 0 },
        round: 1,
        state: "following",
      });
      expect(node.hasReady()).toBe(false);
      node.step(9, {
        type: "notification",
        vote: { leader: 9, epoch: 0, zxid: 0 },
        round: 1,
        state: "looking",
      });
      const { messages } = node.ready();
      expect(messages).toEqual([
        {
          to: 9,
          message: {
            type: "notification",
            vote: { leader: leader.serverId, epoch: leader.currentEpoch, zxid: leader.lastZxid },
            round: expect.any(Number),
            state: node.currentRole,
            config: idsConfig([1, 2, 3], [4]),
          },
        },
      ]);
      expect(node.currentRole).not.toBe("looking");
    }
  });

  it("sends nothing to a stranger while looking, and does not step a stranger's sync messages as a follower", () => {
    const { leader, followers } = ensemble();
    const follower = followers[0]!;
    // A stranger's ping is not the leader's: the follower neither acts on it nor changes role.
    follower.step(9, { type: "ping", epoch: leader.currentEpoch });
    expect(follower.hasReady()).toBe(false);
    follower.peerDisconnected(leader.serverId);
    expect(follower.currentRole).toBe("looking");
    expect(follower.leaderId).toBe(-1);
    flush(follower);
    follower.step(9, {
      type: "notification",
      vote: { leader: 9, epoch: 0, zxid: 0 },
      round: 1,
      state: "looking",
    });
    expect(follower.hasReady()).toBe(false);
    follower.step(9, { type: "leaderInfo", epoch: 7 });
    expect(follower.hasReady()).toBe(false);
    // Nor does a looking member lead a stranger that asks to follow.
    follower.step(9, {
      type: "followerInfo",
      attempt: 1,
      acceptedEpoch: 0,
      currentEpoch: 0,
      lastZxid: 0,
      observer: false,
    });
    expect(follower.hasReady()).toBe(false);
    expect(follower.currentRole).toBe("looking");
  });

  it("lets a stranger (a joiner) sync with the leader without a vote", () => {
    const { leader } = ensemble();
    leader.step(9, {
      type: "followerInfo",
      attempt: 1,
      acceptedEpoch: 0,
      currentEpoch: 0,
      lastZxid: 0,
      observer: false,
    });
    const { messages } = leader.ready();
    expect(messages).toEqual([{ to: 9, message: { type: "leaderInfo", epoch: leader.currentEpoch } }]);
  });

  it("answers a looking member that is not its leader, and stays with its leader", () => {
    const { leader, followers } = ensemble();
    const [follower, other] = followers as [ZabNode, ZabNode];
    follower.step(other.serverId, lookingNote(other, 99));
    expect(follower.currentRole).toBe("following");
    expect(follower.ready().messages.map((m) => [m.to, m.message.type])).toEqual([
      [other.serverId, "notification"],
    ]);
    expect(follower.leaderId).toBe(leader.serverId);
  });

  it("activates a newer configuration a notification carries", () => {
    const { followers } = ensemble();
    const follower = followers[0]!;
    const newer = { ...idsConfig([1, 2, 3], [4, 5]), version: makeZxid(1, 9) };
    follower.step(5, {
      type: "notification",
      vote: { leader: 5, epoch: 0, zxid: 0 },
      round: 1,
      state: "following",
      config: newer,
    });
    expect(follower.activeConfig).toEqual(newer);
    expect(follower.ready().config).toEqual({ active: newer, pending: [] });
  });
});

describe("ZabNode and a SNAP that is not from its leader", () => {
  it("takes no configuration from it", () => {
    const { leader, followers } = ensemble();
    const [follower, other] = followers as [ZabNode, ZabNode];
    const newer = { ...idsConfig([1, 2, 3, 5]), version: makeZxid(9, 1) };
    for (const from of [other.serverId, 9]) {
      follower.step(from, { type: "snap", epoch: leader.currentEpoch, zxid: makeZxid(9, 1), config: newer });
      expect(follower.activeConfig).toEqual(idsConfig([1, 2, 3], [4]));
      expect(follower.currentRole).toBe("following");
    }
  });
});

describe("ZabNode.peerDisconnected", () => {
  it("sends an observer of the lost leader looking, and nobody else", () => {
    const { leader, followers, observer } = ensemble();
    observer.peerDisconnected(followers[0]!.serverId);
    expect(observer.currentRole).toBe("observing");
    leader.peerDisconnected(leader.serverId);
    expect(leader.currentRole).toBe("leading");
    observer.peerDisconnected(leader.serverId);
    expect(observer.currentRole).toBe("looking");
    expect(
      leader
        .learners()
        .map((l) => l.id)
        .sort(),
    ).toEqual([1, 2, 3, 4].filter((id) => id !== leader.serverId));
    leader.peerDisconnected(observer.serverId);
    expect(leader.learners().some((l) => l.id === observer.serverId)).toBe(false);
  });
});

describe("ZabNode's Ready handshake", () => {
  it("refuses a second ready() before advance, a stale advance, and persisted() out of order", () => {
    const node = member(1, idsConfig([1]));
    node.propose(txn());
    const first = node.ready();
    expect(() => node.ready()).toThrow("ready() twice without advance()");
    node.advance(first);
    expect(() => node.advance(first)).toThrow("advance with a stale Ready");
    node.propose(txn());
    const second = node.ready();
    node.advance(second);
    expect(() => node.persisted(second)).toThrow("persisted() out of order or for an unknown Ready");
    // Nothing left to persist: any Ready is unknown.
    const other = member(1, idsConfig([1]));
    other.propose(txn());
    const only = other.ready();
    other.advance(only);
    other.persisted(only);
    expect(() => other.persisted(only)).toThrow("persisted() out of order or for an unknown Ready");
  });
});

describe("ZabNode when a reconfig removes the leader", () => {
  it("sends its followers looking as soon as they commit it, not after syncLimit of silence", () => {
    const { nodes, leader, followers } = ensemble();
    const rest = followers.map((f) => f.serverId);
    leader.propose(reconfigTxn(idsConfig(rest, [4])));
    const roleWhenActive: string[] = [];
    for (let round = 0; round < 100 && roleWhenActive.length < 2; round++) {
      for (const node of nodes.values()) {
        if (!node.hasReady()) continue;
        for (const { to, message } of flush(node).messages) {
          const target = nodes.get(to)!;
          const before = target.activeConfig.version;
          target.step(node.serverId, message);
          if (followers.includes(target) && target.activeConfig.version !== before)
            roleWhenActive.push(target.currentRole);
        }
      }
    }
    expect(roleWhenActive).toEqual(["looking", "looking"]);
  });
});

describe("ZabNode when a reconfig removes an observer", () => {
  it("stops observing as soon as it learns the commit", () => {
    const { nodes, leader, observer } = ensemble();
    leader.propose(reconfigTxn(idsConfig([1, 2, 3])));
    const roleWhenActive: string[] = [];
    for (let round = 0; round < 100 && roleWhenActive.length === 0; round++) {
      for (const node of nodes.values()) {
        if (!node.hasReady()) continue;
        for (const { to, message } of flush(node).messages) {
          const before = observer.activeConfig.version;
          nodes.get(to)!.step(node.serverId, message);
          if (observer.activeConfig.version !== before) roleWhenActive.push(observer.currentRole);
        }
      }
    }
    expect(roleWhenActive).toEqual(["looking"]);
  });
});
