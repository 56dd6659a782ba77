import { describe, expect, it } from "vitest";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Ready } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { txn } from "./zab-node-harness.js";

// Two cases the third mutation round left open in ZabNode's persistence points: a Ready whose
// fsync outlasts two TRUNCs (the later cut must still count when it ends), and a Ready whose
// entries a TRUNC cut entirely (its fsync ending must not ack again what was acked already).

const z1 = makeZxid(1, 1);

/** Follower 2 of voters 1, 2, 3 with z1 durable and committed. */
function follower(): ZabNode {
  return new ZabNode({
    id: 2,
    voters: [1, 2, 3],
    acceptedEpoch: 1,
    currentEpoch: 1,
    lastZxid: z1,
    log: [{ zxid: z1, txn: txn() }],
    logBaseZxid: 0,
    committedZxid: z1,
    proposalsInFlightMax: 10,
  });
}

const settled = (
  leader: number,
  epoch: number,
  zxid: number,
  state: "leading" | "following",
): ZabMessage => ({
  type: "notification",
  vote: { leader, epoch, zxid },
  round: 1,
  state,
});

/** Drains every Ready: sent messages as "to:type[:zxid]"; Readys with entries are held in `slow`. */
function drain(node: ZabNode, slow?: Ready[]): string[] {
  const sent: string[] = [];
  while (node.hasReady()) {
    const ready = node.ready();
    for (const { to, message } of ready.messages) {
      if (message.type === "notification") continue;
      sent.push("zxid" in message ? `${to}:${message.type}:${message.zxid}` : `${to}:${message.type}`);
    }
    node.advance(ready);
    if (ready.entries.length === 0) continue;
    if (slow) slow.push(ready);
    else node.persisted(ready);
  }
  return sent;
}

/** Elects `leader` (the other voter agreeing) and syncs by `sync` to `to`, without UPTODATE's drain. */
function follow(
  node: ZabNode,
  leader: number,
  epoch: number,
  sync: "diff" | "trunc",
  to: number,
  slow?: Ready[],
) {
  const other = leader === 1 ? 3 : 1;
  node.step(leader, settled(leader, epoch - 1, to, "leading"));
  node.step(other, settled(leader, epoch - 1, to, "following"));
  expect(drain(node, slow)).toContain(`${leader}:followerInfo`);
  node.step(leader, { type: "leaderInfo", epoch });
  node.step(leader, { type: sync, epoch, zxid: to });
  node.step(leader, { type: "newLeader", epoch, zxid: to });
  node.step(leader, { type: "upToDate", epoch, commitZxid: to });
}

const proposal = (epoch: number, prevZxid: number, zxid: number): ZabMessage => ({
  type: "proposal",
  epoch,
  prevZxid,
  entry: { zxid, txn: txn() },
});

describe("a slow fsync across two TRUNCs", () => {
  it("the second cut still holds when the fsync it outlasted ends: nothing it removed is acked", () => {
    const node = follower();
    drain(node);
    follow(node, 3, 2, "diff", z1);
    expect(drain(node)).toEqual([`3:ackEpoch`, `3:ackNewLeader:${z1}`]);
    // Epoch 2 under 3: p1 and p2 in one slow Ready.
    const [p1, p2] = [makeZxid(2, 1), makeZxid(2, 2)];
    node.step(3, proposal(2, z1, p1));
    node.step(3, proposal(2, p1, p2));
    const slow: Ready[] = [];
    drain(node, slow);
    expect(slow.map((r) => r.entries.map((e) => e.zxid))).toEqual([[p1, p2]]);

    // Epoch 3 under 1, which has p1 only: TRUNC to p1 (the first cut), then q1 in a second slow Ready.
    node.peerDisconnected(3);
    drain(node, slow);
    follow(node, 1, 3, "trunc", p1, slow);
    drain(node, slow);
    const q1 = makeZxid(3, 1);
    node.step(1, proposal(3, p1, q1));
    drain(node, slow);
    expect(slow.map((r) => r.entries.map((e) => e.zxid))).toEqual([[p1, p2], [q1]]);

    // Epoch 4 under 3, which has p1 only as well: TRUNC to p1 again (the second cut, q1 dies).
    node.peerDisconnected(1);
    drain(node, slow);
    follow(node, 3, 4, "trunc", p1, slow);
    expect(drain(node, slow)).toEqual(["3:ackEpoch"]);
    expect(node.lastZxid).toBe(p1);

    // The first fsync ends: p1 is durable, NEWLEADER of epoch 4 is acked.
    node.persisted(slow.shift()!);
    expect(drain(node)).toEqual([`3:ackNewLeader:${p1}`]);
    // The second ends: q1 was cut by the second TRUNC, so nothing more is durable and nothing acked.
    node.persisted(slow.shift()!);
    expect(drain(node)).toEqual([]);
    // The next proposal follows p1 and is acked alone.
    const r1 = makeZxid(4, 1);
    node.step(3, proposal(4, p1, r1));
    expect(drain(node)).toEqual([`3:ack:${r1}`]);
  });
});

describe("a slow fsync of entries a TRUNC cut entirely", () => {
  it("ends without a second ack of what was durable and acked before", () => {
    const node = follower();
    drain(node);
    follow(node, 3, 2, "diff", z1);
    drain(node);
    const [p1, p2] = [makeZxid(2, 1), makeZxid(2, 2)];
    node.step(3, proposal(2, z1, p1));
    expect(drain(node)).toEqual([`3:ack:${p1}`]);
    node.step(3, proposal(2, p1, p2));
    const slow: Ready[] = [];
    drain(node, slow);
    expect(slow.map((r) => r.entries.map((e) => e.zxid))).toEqual([[p2]]);

    // Epoch 3 under 1, which has p1 only: p1 is durable, so NEWLEADER is acked at once.
    node.peerDisconnected(3);
    drain(node, slow);
    follow(node, 1, 3, "trunc", p1, slow);
    expect(drain(node, slow)).toEqual(["1:ackEpoch", `1:ackNewLeader:${p1}`]);
    expect(node.isBroadcasting).toBe(true);

    // p2's fsync ends: it was cut, and p1 was acked already; nothing is sent.
    node.persisted(slow.shift()!);
    expect(drain(node)).toEqual([]);
    const q1 = makeZxid(3, 1);
    node.step(1, proposal(3, p1, q1));
    expect(drain(node)).toEqual([`1:ack:${q1}`]);
  });
});
