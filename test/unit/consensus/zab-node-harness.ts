import { idsConfig, type MemberConfig } from "../../../server/consensus/member-config.js";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Ready } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";

/** A delete transaction: its path is never read by the core. */
export const txn = (): Txn => ({
  zxid: 0n,
  sessionId: 0n,
  cxid: 0,
  origin: 0,
  originRef: 0,
  time: 0n,
  body: { $case: "delete", value: { path: "/a" } },
});

export const reconfigTxn = (config: MemberConfig): Txn => ({
  ...txn(),
  body: { $case: "reconfig", value: { members: [...config.members] } },
});

export function member(id: number, config: MemberConfig, max = 10): ZabNode {
  return new ZabNode({ id, voters: [], config, acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax: max });
}

/** Every Ready persisted at once, every message delivered, ticking when quiet, until `done`. */
export function settle(nodes: Map<number, ZabNode>, done: () => boolean): void {
  for (let tick = 0; tick < 300; tick++) {
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
      if (!moved) break;
    }
    if (done()) return;
    for (const node of nodes.values()) node.tick();
  }
  throw new Error("did not settle within 300 ticks");
}

/** Three voters and observer 4, settled: the leader and all learners synchronised. */
export function ensemble(): {
  nodes: Map<number, ZabNode>;
  leader: ZabNode;
  followers: ZabNode[];
  observer: ZabNode;
} {
  const config = idsConfig([1, 2, 3], [4]);
  const nodes = new Map([1, 2, 3, 4].map((id) => [id, member(id, config)] as const));
  settle(nodes, () => {
    const leaders = [...nodes.values()].filter((n) => n.currentRole === "leading");
    return leaders.length === 1 && leaders[0]!.learners().filter((l) => l.synced).length === 3;
  });
  const leader = [...nodes.values()].find((n) => n.currentRole === "leading")!;
  const followers = [...nodes.values()].filter((n) => n.currentRole === "following");
  return { nodes, leader, followers, observer: nodes.get(4)! };
}

/** Hands out and advances one Ready (persisting it when it has entries), returning it. */
export function flush(node: ZabNode): Ready {
  const ready = node.ready();
  node.advance(ready);
  if (ready.entries.length > 0) node.persisted(ready);
  return ready;
}

export function lookingNote(node: ZabNode, round = 1): ZabMessage {
  return {
    type: "notification",
    vote: { leader: node.serverId, epoch: 0, zxid: 0 },
    round,
    state: "looking",
  };
}
