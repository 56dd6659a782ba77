import { describe, expect, it } from "vitest";
import { idsConfig } from "../../../server/consensus/member-config.js";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Ready } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { ensemble, flush, member, settle, txn } from "./zab-node-harness.js";

/** ZabNode's persistence points: what a learner sends while it syncs and once entries are durable. */
describe("ZabNode's Ready and persistence points", () => {
  it("leaves out truncateTo, snapshotZxid and config when there are none", () => {
    const node = member(1, idsConfig([1]));
    node.propose(txn());
    const ready = node.ready();
    expect("truncateTo" in ready).toBe(false);
    expect("snapshotZxid" in ready).toBe(false);
    expect("config" in ready).toBe(false);
  });

  it("acks a proposal to the leader only once it is durable, and an observer never acks", () => {
    const { nodes, leader, followers, observer } = ensemble();
    const zxid = leader.propose(txn());
    const follower = followers[0]!;
    const deliver = (from: ZabNode, ready: Ready, to: ZabNode): void => {
      for (const m of ready.messages) if (m.to === to.serverId) to.step(from.serverId, m.message);
    };
    deliver(leader, flush(leader), follower);
    const ready = follower.ready();
    follower.advance(ready);
    expect(ready.entries.map((e) => e.zxid)).toEqual([zxid]);
    // Advanced, not yet durable: no ack.
    expect(ready.messages).toEqual([]);
    expect(follower.hasReady()).toBe(false);
    follower.persisted(ready);
    const ackReady = follower.ready();
    expect(ackReady.messages).toEqual([
      { to: leader.serverId, message: { type: "ack", epoch: leader.currentEpoch, zxid } },
    ]);
    follower.advance(ackReady);
    // The leader commits and informs the observer, which logs the entry and sends nothing back.
    deliver(follower, ackReady, leader);
    const commit = flush(leader);
    expect(commit.messages.filter((m) => m.to === observer.serverId).map((m) => m.message.type)).toEqual([
      "inform",
    ]);
    deliver(leader, commit, observer);
    const informed = observer.ready();
    observer.advance(informed);
    expect(informed.entries.map((e) => e.zxid)).toEqual([zxid]);
    observer.persisted(informed);
    expect(observer.hasReady() ? observer.ready().messages : []).toEqual([]);
    expect(nodes.size).toBe(4);
  });
});

describe("ZabNode synchronising a follower that missed entries", () => {
  it("sends followerInfo, ackEpoch and one ackNewLeader, serves only after it, then acks proposals", () => {
    const config = idsConfig([1, 2, 3]);
    const log = [1, 2].map((counter) => ({ zxid: makeZxid(1, counter), txn: txn() }));
    const withLog = (id: number): ZabNode =>
      new ZabNode({
        id,
        voters: [],
        config,
        acceptedEpoch: 1,
        currentEpoch: 1,
        log,
        lastZxid: makeZxid(1, 2),
        committedZxid: makeZxid(1, 2),
        proposalsInFlightMax: 10,
      });
    const nodes = new Map<number, ZabNode>([
      [1, withLog(1)],
      [2, withLog(2)],
      [3, member(3, config)],
    ]);
    const late = nodes.get(3)!;
    const sent: string[] = [];
    const beforeDurable: boolean[] = [];
    const syncedBefore: boolean[] = [];
    const learnerOf = (leader: ZabNode): boolean[] =>
      leader
        .learners()
        .filter((l) => l.id === 3)
        .map((l) => l.synced);
    for (let step = 0; step < 3000 && !sent.includes("ackNewLeader"); step++) {
      const node = [...nodes.values()].find((n) => n.hasReady());
      if (node === undefined) {
        for (const n of nodes.values()) n.tick();
        continue;
      }
      const ready = flush(node);
      for (const { to, message } of ready.messages) {
        if (node === late && message.type !== "notification" && to === late.leaderId) sent.push(message.type);
        // The leader counts the follower synchronised only once its NEWLEADER ack arrives.
        if (node === late && message.type === "ackNewLeader") syncedBefore.push(...learnerOf(nodes.get(to)!));
        nodes.get(to)?.step(node.serverId, message);
        // NEWLEADER received, its DIFF's entries not yet durable: not synchronised yet.
        if (to === late.serverId && message.type === "newLeader") beforeDurable.push(late.isBroadcasting);
      }
    }
    expect(beforeDurable).toEqual([false]);
    expect(late.isBroadcasting).toBe(true);
    expect(syncedBefore).toEqual([false]);
    expect(learnerOf(nodes.get(late.leaderId)!)).toEqual([true]);
    expect(sent).toEqual(["followerInfo", "ackEpoch", "ackNewLeader"]);
    expect(late.lastZxid).toBe(makeZxid(1, 2));
    const leader = nodes.get(late.leaderId)!;
    settle(nodes, () => leader.learners().every((l) => l.synced));
    const zxid = leader.propose(txn());
    for (const m of flush(leader).messages) if (m.to === late.serverId) late.step(leader.serverId, m.message);
    expect(flush(late).messages).toEqual([]);
    expect(late.ready().messages).toEqual([
      { to: leader.serverId, message: { type: "ack", epoch: leader.currentEpoch, zxid } },
    ]);
  });
});

describe("ZabNode persisting across a TRUNC", () => {
  it("sends only the NEWLEADER ack when a slow fsync of entries the TRUNC cut ends", () => {
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
    });
    const slow: Ready[] = [];
    const drain = (hold: boolean): string[] => {
      const sent: string[] = [];
      while (node.hasReady()) {
        const ready = node.ready();
        sent.push(...ready.messages.map((o) => `${o.to}:${o.message.type}`));
        node.advance(ready);
        if (ready.entries.length === 0) continue;
        if (hold) slow.push(ready);
        else node.persisted(ready);
      }
      return sent;
    };
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
    drain(false);
    node.step(3, settled(3, 1, z1, "leading"));
    node.step(1, settled(3, 1, z1, "following"));
    drain(false);
    for (const m of [
      { type: "leaderInfo", epoch: 2 },
      { type: "diff", epoch: 2, zxid: z1 },
      { type: "newLeader", epoch: 2, zxid: z1 },
      { type: "upToDate", epoch: 2, commitZxid: z1 },
    ] as ZabMessage[])
      node.step(3, m);
    drain(false);
    const [p1, p2] = [makeZxid(2, 1), makeZxid(2, 2)];
    node.step(3, { type: "proposal", epoch: 2, prevZxid: z1, entry: { zxid: p1, txn: txn() } });
    node.step(3, { type: "proposal", epoch: 2, prevZxid: p1, entry: { zxid: p2, txn: txn() } });
    drain(true);
    node.peerDisconnected(3);
    drain(true);
    node.step(1, settled(1, 3, p1, "leading"));
    node.step(3, settled(1, 3, p1, "following"));
    drain(true);
    node.step(1, { type: "leaderInfo", epoch: 3 });
    node.step(1, { type: "trunc", epoch: 3, zxid: p1 });
    node.step(1, { type: "newLeader", epoch: 3, zxid: p1 });
    node.step(1, { type: "upToDate", epoch: 3, commitZxid: p1 });
    expect(drain(true)).toEqual(["1:ackEpoch"]);
    expect(slow).toHaveLength(1);
    node.persisted(slow.shift()!);
    // p2 died with the TRUNC: its durability acks nothing; p1's acks NEWLEADER, once.
    expect(drain(false)).toEqual(["1:ackNewLeader"]);
    const p3 = makeZxid(3, 1);
    node.step(1, { type: "proposal", epoch: 3, prevZxid: p1, entry: { zxid: p3, txn: txn() } });
    const ready = node.ready();
    node.advance(ready);
    node.persisted(ready);
    expect(node.ready().messages).toEqual([{ to: 1, message: { type: "ack", epoch: 3, zxid: p3 } }]);
  });
});

describe("ZabNode synchronising an observer that missed entries", () => {
  it("serves and acks NEWLEADER only once the DIFF is durable, and the leader counts it synchronised", () => {
    const config = idsConfig([1, 2, 3], [4]);
    const log = [1, 2].map((counter) => ({ zxid: makeZxid(1, counter), txn: txn() }));
    const nodes = new Map<number, ZabNode>(
      [1, 2, 3].map((id) => [
        id,
        new ZabNode({
          id,
          voters: [],
          config,
          acceptedEpoch: 1,
          currentEpoch: 1,
          log,
          lastZxid: makeZxid(1, 2),
          committedZxid: makeZxid(1, 2),
          proposalsInFlightMax: 10,
        }),
      ]),
    );
    const observer = member(4, config);
    nodes.set(4, observer);
    const sent: string[] = [];
    const servingWhenTold: boolean[] = [];
    const shownSynced: (boolean | undefined)[] = [];
    const syncedOf = (leader: ZabNode) => leader.learners().find((l) => l.id === 4)?.synced;
    for (let step = 0; step < 3000 && !sent.some((m) => m.endsWith(":ackNewLeader")); step++) {
      const node = [...nodes.values()].find((n) => n.hasReady());
      if (node === undefined) {
        for (const n of nodes.values()) n.tick();
        continue;
      }
      for (const { to, message } of flush(node).messages) {
        if (node === observer && message.type !== "notification" && message.type !== "ping")
          sent.push(`${to}:${message.type}`);
        // The leader shows an observer synced from the start of its sync, not from its ack.
        if (node === observer && message.type === "ackNewLeader") shownSynced.push(syncedOf(nodes.get(to)!));
        nodes.get(to)?.step(node.serverId, message);
        // Told of the new leader with the DIFF's entries not yet durable: not serving yet.
        if (to === 4 && message.type === "newLeader") servingWhenTold.push(observer.isBroadcasting);
      }
    }
    const leader = observer.leaderId;
    expect(observer.currentRole).toBe("observing");
    expect(observer.lastZxid).toBe(makeZxid(1, 2));
    expect(servingWhenTold).toEqual([false]);
    expect(shownSynced).toEqual([true]);
    // Like a follower, once the DIFF is durable, though its ack counts toward no quorum.
    expect(sent).toEqual([`${leader}:followerInfo`, `${leader}:ackEpoch`, `${leader}:ackNewLeader`]);
    expect(observer.isBroadcasting).toBe(true);
    expect(
      nodes
        .get(leader)!
        .learners()
        .find((l) => l.id === 4)?.synced,
    ).toBe(true);
  });
});

describe("ZabNode acking a synchronisation and a proposal made durable together", () => {
  it("acks NEWLEADER, then the proposal after it, from one fsync", () => {
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
    });
    const drain = (): string[] => {
      const sent: string[] = [];
      while (node.hasReady()) {
        const ready = flush(node);
        sent.push(
          ...ready.messages.map(
            (o) => `${o.to}:${o.message.type}:${"zxid" in o.message ? o.message.zxid : ""}`,
          ),
        );
      }
      return sent;
    };
    drain();
    const vote = { leader: 3, epoch: 1, zxid: z1 };
    node.step(3, { type: "notification", vote, round: 1, state: "leading" });
    node.step(1, { type: "notification", vote, round: 1, state: "following" });
    drain();
    const [p0, p1] = [makeZxid(1, 2), makeZxid(2, 1)];
    for (const m of [
      { type: "leaderInfo", epoch: 2 },
      { type: "diff", epoch: 2, zxid: z1 },
      { type: "proposal", epoch: 2, prevZxid: z1, entry: { zxid: p0, txn: txn() } },
      { type: "newLeader", epoch: 2, zxid: p0 },
      { type: "upToDate", epoch: 2, commitZxid: p0 },
      { type: "proposal", epoch: 2, prevZxid: p0, entry: { zxid: p1, txn: txn() } },
    ] as ZabMessage[])
      node.step(3, m);
    expect(drain()).toEqual(["3:ackEpoch:", `3:ackNewLeader:${p0}`, `3:ack:${p1}`]);
  });
});

describe("ZabNode recovered from a snapshot alone", () => {
  it("sends a member behind the snapshot a SNAP, having no entries to DIFF from", () => {
    const config = idsConfig([1, 2, 3]);
    const snap = makeZxid(1, 5);
    const fromSnapshot = (id: number): ZabNode =>
      new ZabNode({
        id,
        voters: [],
        config,
        acceptedEpoch: 1,
        currentEpoch: 1,
        lastZxid: snap,
        proposalsInFlightMax: 10,
      });
    const nodes = new Map<number, ZabNode>([
      [1, fromSnapshot(1)],
      [2, fromSnapshot(2)],
      [3, member(3, config)],
    ]);
    const syncs: string[] = [];
    for (let step = 0; step < 3000 && syncs.length === 0; step++) {
      const node = [...nodes.values()].find((n) => n.hasReady());
      if (node === undefined) {
        for (const n of nodes.values()) n.tick();
        continue;
      }
      for (const { to, message } of flush(node).messages) {
        if (to === 3 && ["diff", "trunc", "snap"].includes(message.type)) syncs.push(message.type);
        nodes.get(to)?.step(node.serverId, message);
      }
    }
    expect(syncs).toEqual(["snap"]);
  });
});
