import { describe, expect, it } from "vitest";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { AssertionError } from "../../../server/util/assert.js";
import { COUNTER_LIMIT } from "../../../server/util/zxid.js";
import { ensemble, flush, settle, txn } from "./zab-node-harness.js";

// The zxid counter's exhaustion (ZooKeeper's XidRolloverException): counter 0xffffffff is never
// proposed. A leader alone starts the next epoch itself on its next proposal; a leader of several
// voters refuses proposals and steps down at its next tick, so the ensemble re-elects.

/**
 * Test hook (as golden-harness.ts's use-up-counter): the leader may make `left` more proposals in
 * its epoch, the last with counter 0xfffffffe. Reaching it for real takes 2^32 − 2 proposals; the
 * core has no option for it, and a restart does not help (a new epoch starts its counter at 0).
 */
function proposalsLeft(node: ZabNode, left: number): void {
  (node as unknown as { s: { nextCounter: number } }).s.nextCounter = COUNTER_LIMIT - 2 - left;
}

const alone = () =>
  new ZabNode({ id: 1, voters: [1], acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax: 10 });

describe("a leader alone whose zxid counter runs out", () => {
  it("proposes counter 0xfffffffe last, then starts epoch 2 by itself at counter 1", () => {
    const node = alone();
    flush(node);
    expect([node.currentRole, node.isBroadcasting, node.currentEpoch]).toEqual(["leading", true, 1]);
    proposalsLeft(node, 2);
    expect(node.peekZxid()).toBe(0x1_ffff_fffd);
    expect(node.propose(txn())).toBe(0x1_ffff_fffd);
    expect(node.peekZxid()).toBe(0x1_ffff_fffe);
    expect(node.canPropose()).toBe(true);
    expect(node.propose(txn())).toBe(0x1_ffff_fffe);
    const before = flush(node);
    expect(before.hardState).toBeUndefined();
    expect(before.entries.map((e) => e.zxid)).toEqual([0x1_ffff_fffd, 0x1_ffff_fffe]);
    expect(flush(node).committed.map((e) => e.zxid)).toEqual([0x1_ffff_fffd, 0x1_ffff_fffe]);

    // Exhausted: the next zxid is the next epoch's first, and nobody else need agree to it.
    expect(node.peekZxid()).toBe(0x2_0000_0001);
    expect(node.canPropose()).toBe(true);
    node.tick();
    expect([node.currentRole, node.isBroadcasting, node.currentEpoch]).toEqual(["leading", true, 1]);
    expect(node.propose(txn())).toBe(0x2_0000_0001);
    expect(node.currentEpoch).toBe(2);
    const next = flush(node);
    expect(next.hardState).toEqual({ acceptedEpoch: 2, currentEpoch: 2 });
    expect(next.epoch).toBe(2);
    expect(next.entries.map((e) => e.zxid)).toEqual([0x2_0000_0001]);
    expect(flush(node).committed.map((e) => e.zxid)).toEqual([0x2_0000_0001]);
    expect(node.peekZxid()).toBe(0x2_0000_0002);
    expect(node.propose(txn())).toBe(0x2_0000_0002);
    expect(flush(node).hardState).toBeUndefined();
  });

  it("is not exhausted one proposal earlier", () => {
    const node = alone();
    flush(node);
    proposalsLeft(node, 2);
    expect(node.canPropose()).toBe(true);
    node.tick();
    expect(node.currentRole).toBe("leading");
    expect(node.propose(txn())).toBe(0x1_ffff_fffd);
    expect(node.currentEpoch).toBe(1);
  });
});

describe("a leader of three voters whose zxid counter runs out", () => {
  it("proposes 0xfffffffe last, refuses the next proposal and steps down at its next tick", () => {
    const { nodes, leader } = ensemble();
    proposalsLeft(leader, 1);
    expect(leader.canPropose()).toBe(true);
    leader.tick();
    expect([leader.currentRole, leader.isBroadcasting]).toEqual(["leading", true]);
    expect(leader.propose(txn())).toBe(0x1_ffff_fffe);
    expect(leader.canPropose()).toBe(false);
    // What the next proposal would get if it were allowed: the next epoch's first zxid.
    expect(leader.peekZxid()).toBe(0x2_0000_0001);
    expect(() => leader.propose(txn())).toThrow(
      new AssertionError("counter exhausted: the ensemble must re-elect"),
    );
    expect([leader.lastZxid, leader.currentEpoch]).toEqual([0x1_ffff_fffe, 1]);
    settle(nodes, () => leader.commitZxid === 0x1_ffff_fffe);
    expect(leader.currentRole).toBe("leading");

    leader.tick();
    expect(leader.currentRole).toBe("looking");
    expect(leader.canPropose()).toBe(false);
    // The ensemble elects again; the new epoch's counter starts anew.
    settle(nodes, () => [...nodes.values()].some((n) => n.currentRole === "leading" && n.isBroadcasting));
    const next = [...nodes.values()].find((n) => n.currentRole === "leading")!;
    expect(next.currentEpoch).toBe(2);
    expect(next.canPropose()).toBe(true);
    expect(next.peekZxid()).toBe(0x2_0000_0001);
    expect(next.propose(txn())).toBe(0x2_0000_0001);
  });
});
