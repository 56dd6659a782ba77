import { describe, expect, it } from "vitest";
import { ZabNode } from "../../../server/consensus/zab-node.js";

/** Three voters on a perfect network: every Ready persisted at once, every message delivered. */
function ensemble(): Map<number, ZabNode> {
  const nodes = new Map<number, ZabNode>();
  for (const id of [1, 2, 3]) {
    nodes.set(
      id,
      new ZabNode({ id, voters: [1, 2, 3], acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax: 10 }),
    );
  }
  return nodes;
}

/** Delivers everything, ticking every member whenever the network is quiet, until `done`. */
function settle(nodes: Map<number, ZabNode>, done: () => boolean): void {
  for (let tick = 0; tick < 200; tick++) {
    stabilize(nodes);
    if (done()) return;
    for (const node of nodes.values()) node.tick();
  }
  throw new Error("did not settle within 200 ticks");
}

function synced(nodes: Map<number, ZabNode>): boolean {
  const leaders = [...nodes.values()].filter((n) => n.currentRole === "leading");
  return leaders.length === 1 && leaders[0]!.learners().filter((l) => l.synced).length === nodes.size - 1;
}

function stabilize(nodes: Map<number, ZabNode>): void {
  for (let round = 0; round < 1000; round++) {
    let moved = false;
    for (const node of nodes.values()) {
      if (!node.hasReady()) continue;
      moved = true;
      const ready = node.ready();
      node.advance(ready);
      if (ready.entries.length > 0) node.persisted(ready);
      for (const { to, message } of ready.messages) nodes.get(to)?.step(node.serverId, message);
    }
    if (!moved) return;
  }
  throw new Error("did not stabilize");
}

describe("ZabNode when the transport loses a stream", () => {
  it("sends a follower of the lost leader looking at once, and makes the leader forget the learner", () => {
    const nodes = ensemble();
    settle(nodes, () => synced(nodes));
    const leader = [...nodes.values()].find((n) => n.currentRole === "leading")!;
    const followers = [...nodes.values()].filter((n) => n !== leader);
    expect(followers.map((f) => f.currentRole)).toEqual(["following", "following"]);
    expect(leader.learners().map((l) => l.synced)).toEqual([true, true]);

    const [gone, stays] = followers as [ZabNode, ZabNode];
    gone.peerDisconnected(leader.serverId);
    expect(gone.currentRole).toBe("looking");
    leader.peerDisconnected(gone.serverId);
    expect(leader.learners().map((l) => l.id)).toEqual([stays.serverId]);
    // A stream to a member that is not its leader changes nothing for a follower.
    stays.peerDisconnected(gone.serverId);
    expect(stays.currentRole).toBe("following");

    // The looking member finds the leader again and is synchronised.
    settle(nodes, () => synced(nodes));
    expect(gone.currentRole).toBe("following");
    expect(gone.leaderId).toBe(leader.serverId);
    expect(leader.learners().filter((l) => l.synced)).toHaveLength(2);
  });
});
