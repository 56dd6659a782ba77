import { describe, expect, it } from "vitest";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Outbound, Ready } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { txnOf } from "../../sim/disk.js";

const txn = () => txnOf({ $case: "delete", value: { path: "/a" } });

/** Drains every Ready; entries are persisted at once unless `hold` keeps the Readys back. */
function drain(node: ZabNode, hold?: Ready[]): Outbound[] {
  const sent: Outbound[] = [];
  while (node.hasReady()) {
    const ready = node.ready();
    sent.push(...ready.messages);
    node.advance(ready);
    if (ready.entries.length === 0) continue;
    if (hold) hold.push(ready);
    else node.persisted(ready);
  }
  return sent;
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

describe("a follower TRUNCed while its last Ready is still being fsynced", () => {
  it("acks NEWLEADER once that fsync ends, for the entries below the cut", () => {
    const z1 = makeZxid(1, 1);
    const node = new ZabNode({
      id: 2,
      voters: [1, 2, 3],
      acceptedEpoch: 1,
      currentEpoch: 1,
      lastZxid: z1,
      log: [{ zxid: z1, txn: txn() }],
      logBaseZxid: 0,
      committedZxid: z1,
      proposalsInFlightMax: 10,
      logEntriesMax: 100,
    });
    drain(node);
    // Epoch 2 under leader 3: synced by an empty DIFF, then two proposals whose fsync is slow.
    node.step(3, settled(3, 1, z1, "leading"));
    node.step(1, settled(3, 1, z1, "following"));
    expect(drain(node).map((o) => `${o.to}:${o.message.type}`)).toContain("3:followerInfo");
    node.step(3, { type: "leaderInfo", epoch: 2 });
    node.step(3, { type: "diff", epoch: 2, zxid: z1 });
    node.step(3, { type: "newLeader", epoch: 2, zxid: z1 });
    node.step(3, { type: "upToDate", epoch: 2, commitZxid: z1 });
    expect(drain(node).map((o) => o.message.type)).toContain("ackNewLeader");
    const p1 = makeZxid(2, 1);
    const p2 = makeZxid(2, 2);
    node.step(3, { type: "proposal", epoch: 2, prevZxid: z1, entry: { zxid: p1, txn: txn() } });
    node.step(3, { type: "proposal", epoch: 2, prevZxid: p1, entry: { zxid: p2, txn: txn() } });
    const slow: Ready[] = [];
    drain(node, slow);
    expect(slow.flatMap((r) => r.entries.map((e) => e.zxid))).toEqual([p1, p2]);

    // Cut off; 1 and 3 establish epoch 3 under 1, which has p1 but not p2.
    node.peerDisconnected(3);
    drain(node, slow);
    node.step(1, settled(1, 3, p1, "leading"));
    node.step(3, settled(1, 3, p1, "following"));
    expect(drain(node, slow).map((o) => `${o.to}:${o.message.type}`)).toContain("1:followerInfo");
    node.step(1, { type: "leaderInfo", epoch: 3 });
    node.step(1, { type: "trunc", epoch: 3, zxid: p1 });
    node.step(1, { type: "newLeader", epoch: 3, zxid: p1 });
    // p1 is not durable yet: no ack.
    expect(drain(node, slow).map((o) => o.message.type)).not.toContain("ackNewLeader");

    // The slow fsync ends: p1 (below the cut) is durable now, p2 died with the TRUNC.
    node.persisted(slow.shift()!);
    const acks = drain(node).filter((o) => o.message.type === "ackNewLeader");
    expect(acks).toEqual([{ to: 1, message: { type: "ackNewLeader", epoch: 3, zxid: p1 } }]);
    expect(node.currentEpoch).toBe(3);
  });
});
