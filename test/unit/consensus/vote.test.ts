import { describe, expect, it } from "vitest";
import { compareVotes, isQuorum, quorumSize, quorumZxid, sameVote } from "../../../server/consensus/vote.js";
import { makeZxid } from "../../../server/util/zxid.js";

describe("vote ordering (ZooKeeper FastLeaderElection.totalOrderPredicate)", () => {
  it("orders by epoch first, then last zxid, then server id", () => {
    const v = (leader: number, epoch: number, zxid: number) => ({ leader, epoch, zxid });
    expect(compareVotes(v(1, 3, makeZxid(2, 1)), v(9, 2, makeZxid(2, 9)))).toBeGreaterThan(0);
    expect(compareVotes(v(1, 2, makeZxid(2, 5)), v(9, 2, makeZxid(2, 4)))).toBeGreaterThan(0);
    expect(compareVotes(v(3, 2, makeZxid(2, 5)), v(2, 2, makeZxid(2, 5)))).toBeGreaterThan(0);
    expect(compareVotes(v(2, 2, makeZxid(2, 5)), v(3, 2, makeZxid(2, 5)))).toBeLessThan(0);
    expect(compareVotes(v(9, 2, makeZxid(2, 9)), v(1, 3, makeZxid(2, 1)))).toBeLessThan(0);
    expect(compareVotes(v(9, 2, makeZxid(2, 4)), v(1, 2, makeZxid(2, 5)))).toBeLessThan(0);
    expect(sameVote(v(2, 2, 5), v(2, 2, 5))).toBe(true);
    expect(sameVote(v(2, 2, 5), v(2, 2, 6))).toBe(false);
    expect(sameVote(v(2, 2, 5), v(3, 2, 5))).toBe(false);
    expect(sameVote(v(2, 2, 5), v(2, 3, 5))).toBe(false);
  });
});

describe("quorums of voters", () => {
  it("needs a strict majority", () => {
    expect([1, 2, 3, 4, 5].map(quorumSize)).toEqual([1, 2, 2, 3, 3]);
    const voters = new Set([1, 2, 3, 4]);
    expect(isQuorum([1, 2], voters)).toBe(false);
    expect(isQuorum([1, 2, 3], voters)).toBe(true);
  });

  it("ignores duplicates and non-voters (observers)", () => {
    const voters = new Set([1, 2, 3]);
    expect(isQuorum([1, 1, 9, 8], voters)).toBe(false);
    expect(isQuorum([1, 3, 9], voters)).toBe(true);
  });

  it("commits the highest zxid held by a quorum", () => {
    expect(quorumZxid([5, 9, 7], 3)).toBe(7);
    expect(quorumZxid([5, 9, 7, 1, 2], 5)).toBe(5);
    expect(quorumZxid([9], 3)).toBe(-1);
  });
});
