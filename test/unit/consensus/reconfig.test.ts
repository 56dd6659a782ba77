import { describe, expect, it } from "vitest";
import { idsConfig, type MemberConfig } from "../../../server/consensus/member-config.js";
import type { Ready } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { txnOf } from "../../sim/disk.js";
import { writeTxn } from "../../sim/sim.js";

/**
 * Reconfiguration in the ZAB core, on a perfect network where the test may cut members off: every
 * Ready persisted at once, every message to a member not cut off delivered in order.
 */
class Net {
  readonly nodes = new Map<number, ZabNode>();
  private readonly cut = new Set<number>();
  private readonly deaf = new Set<number>();
  readonly configs = new Map<number, NonNullable<Ready["config"]>>();
  /** Messages delivered, by type. */
  readonly delivered = new Map<string, number>();

  add(id: number, config: MemberConfig, logEntriesMax?: number): ZabNode {
    const node = new ZabNode({
      id,
      voters: [],
      config,
      acceptedEpoch: 0,
      lastZxid: 0,
      proposalsInFlightMax: 10,
      ...(logEntriesMax !== undefined ? { logEntriesMax } : {}),
    });
    this.nodes.set(id, node);
    return node;
  }

  /** Cuts members off; their streams break, as the transport reports (peerDisconnected). */
  cutOff(...ids: number[]): void {
    for (const id of ids) {
      this.cut.add(id);
      for (const other of this.nodes.values()) {
        if (other.serverId === id) continue;
        other.peerDisconnected(id);
        this.nodes.get(id)?.peerDisconnected(other.serverId);
      }
    }
  }

  heal(...ids: number[]): void {
    for (const id of ids) {
      this.cut.delete(id);
      this.deaf.delete(id);
    }
  }

  /** Messages to these members are lost (theirs still go out): proposals leave, acks never return. */
  deafen(...ids: number[]): void {
    for (const id of ids) this.deaf.add(id);
  }

  /** Runs until `done`; returns the ticks it took. */
  settle(done: () => boolean, what: string): number {
    for (let tick = 0; tick < 400; tick++) {
      this.stabilize();
      if (done()) return tick;
      for (const node of this.nodes.values()) node.tick();
    }
    const state = [...this.nodes.values()].map(
      (n) =>
        `${n.serverId}:${n.currentRole}/${n.isBroadcasting ? "b" : "-"} last=${n.lastZxid.toString(16)} commit=${n.commitZxid.toString(16)} active=${n.activeConfig.version.toString(16)} pending=${n.pendingConfig?.version.toString(16) ?? "-"}`,
    );
    throw new Error(`not settled within 400 ticks: ${what}; ${state.join("; ")}`);
  }

  /** Runs a fixed number of ticks (to show something does NOT happen). */
  run(ticks: number): void {
    for (let tick = 0; tick < ticks; tick++) {
      this.stabilize();
      for (const node of this.nodes.values()) node.tick();
    }
    this.stabilize();
  }

  private stabilize(): void {
    for (let round = 0; round < 2000; round++) {
      let moved = false;
      for (const node of this.nodes.values()) {
        if (!node.hasReady()) continue;
        moved = true;
        const ready = node.ready();
        if (ready.config !== undefined) this.configs.set(node.serverId, ready.config);
        node.advance(ready);
        if (ready.entries.length > 0) node.persisted(ready);
        if (this.cut.has(node.serverId)) continue;
        for (const { to, message } of ready.messages) {
          if (this.cut.has(to) || this.deaf.has(to)) continue;
          this.delivered.set(message.type, (this.delivered.get(message.type) ?? 0) + 1);
          this.nodes.get(to)?.step(node.serverId, message);
        }
      }
      if (!moved) return;
    }
    throw new Error("did not stabilize");
  }

  leader(): ZabNode | undefined {
    const leaders = [...this.nodes.values()].filter((n) => n.currentRole === "leading" && n.isBroadcasting);
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  /** The leader sees `ids` synced. */
  syncedWith(ids: number[]): boolean {
    const leader = this.leader();
    if (leader === undefined) return false;
    const synced = leader
      .learners()
      .filter((l) => l.synced)
      .map((l) => l.id);
    return ids.every((id) => id === leader.serverId || synced.includes(id));
  }
}

function reconfigTxn(config: MemberConfig): Txn {
  return txnOf({ $case: "reconfig", value: { members: [...config.members] } });
}

const voterIds = (n: ZabNode): number[] =>
  n.activeConfig.members
    .filter((m) => !m.observer)
    .map((m) => m.id)
    .sort();

describe("reconfiguration in the ZAB core", () => {
  it("adds a joiner: the new config commits only once a quorum of the old AND of the new config has it", () => {
    const net = new Net();
    for (const id of [1, 2, 3]) net.add(id, idsConfig([1, 2, 3]));
    net.settle(() => net.syncedWith([1, 2, 3]), "three voters synced");
    // Member 4 starts with a configuration that has it (as ZooKeeper's joiner does): it follows
    // the leader without a vote until a reconfig adds it.
    net.add(4, idsConfig([1, 2, 3, 4]));
    net.settle(() => net.syncedWith([4]), "the joiner synced");
    const leader = net.leader()!;
    const others = [1, 2, 3].filter((id) => id !== leader.serverId);
    // Cut one old member off: the old config still has a quorum (2 of 3), the new one has 3 of 4
    // (leader, the other old member, the joiner). Then cut the joiner too: the new quorum is gone.
    net.cutOff(others[0]!, 4);
    const zxid = leader.propose(reconfigTxn(idsConfig([1, 2, 3, 4])));
    const after = leader.propose(writeTxn("/after"));
    net.run(3);
    expect(leader.pendingConfig?.version).toBe(zxid);
    expect(leader.commitZxid).toBeLessThan(zxid);
    expect(leader.activeConfig.version).toBe(0);
    // The old member comes back (the joiner stays cut off): old quorum {leader, both others},
    // new quorum 3 of 4 without the joiner.
    net.heal(others[0]!);
    net.settle(() => leader.commitZxid >= after, "the reconfig and the write after it commit");
    expect(leader.activeConfig.version).toBe(zxid);
    expect(voterIds(leader)).toEqual([1, 2, 3, 4]);
    net.heal(4);
    net.settle(
      () => [...net.nodes.values()].every((n) => n.activeConfig.version === zxid),
      "every member activates it, the one cut off too",
    );
    expect(net.configs.get(4)?.active.version).toBe(zxid);
    expect(net.nodes.get(4)!.currentRole).toBe("following");
  });

  it("removes the leader: it hands over, and the two left commit writes on their own", () => {
    const net = new Net();
    for (const id of [1, 2, 3]) net.add(id, idsConfig([1, 2, 3]));
    net.settle(() => net.syncedWith([1, 2, 3]), "three voters synced");
    const old = net.leader()!;
    const left = [1, 2, 3].filter((id) => id !== old.serverId);
    const zxid = old.propose(reconfigTxn(idsConfig(left)));
    const ticks = net.settle(() => {
      const next = net.leader();
      return next !== undefined && next !== old && net.syncedWith(left);
    }, "a remaining member leads");
    // Its followers look for a new leader as soon as the removal commits, not after syncLimit
    // (10 ticks here) of the old leader's silence.
    expect(ticks).toBeLessThan(10);
    expect(old.currentRole).toBe("looking");
    expect(old.isBroadcasting).toBe(false);
    const next = net.leader()!;
    expect(next.activeConfig.version).toBe(zxid);
    // The removed member is cut off for good: the two left still commit.
    net.cutOff(old.serverId);
    const write = next.propose(writeTxn("/two"));
    net.settle(() => next.commitZxid >= write, "a write commits on two members");
    expect(old.currentRole).toBe("looking");
  });

  it("removes the leader of two: the one voter left elects itself and commits alone", () => {
    // A lone voter hears no other member's vote; it must count its own (ZooKeeper's notification
    // to itself), or it waits in LOOKING forever (found by the simulator, test/sim/reconfig-driver.ts).
    const net = new Net();
    for (const id of [1, 2]) net.add(id, idsConfig([1, 2]));
    net.settle(() => net.syncedWith([1, 2]), "two voters synced");
    const old = net.leader()!;
    const left = old.serverId === 1 ? 2 : 1;
    const zxid = old.propose(reconfigTxn(idsConfig([left])));
    net.settle(() => net.leader()?.serverId === left, "the voter left leads");
    const next = net.leader()!;
    expect(next.activeConfig.version).toBe(zxid);
    net.cutOff(old.serverId);
    const write = next.propose(writeTxn("/alone"));
    net.settle(() => next.commitZxid >= write, "a write commits on the lone voter");
    expect(old.currentRole).toBe("looking");
  });

  it("a SNAP drops a reconfig the member logged and the new leader never had", () => {
    // Found by the simulator: installSnapshot kept pending configs below the snapshot's zxid, and
    // the commit point the snapshot sets then activated a reconfig that was never committed.
    const net = new Net();
    for (const id of [1, 2, 3, 4, 5]) net.add(id, idsConfig([1, 2, 3, 4, 5]), 4);
    net.settle(() => net.syncedWith([1, 2, 3, 4, 5]), "five voters synced");
    const old = net.leader()!;
    const [f, ...rest] = [1, 2, 3, 4, 5].filter((id) => id !== old.serverId) as [number, ...number[]];
    // Only one follower gets the reconfig: two of five hold it, so it cannot commit.
    net.cutOff(...rest);
    const lost = old.propose(reconfigTxn(idsConfig([1, 2, 3, 4, 5], [6])));
    net.run(2);
    expect(net.nodes.get(f)!.pendingConfig?.version).toBe(lost);
    net.cutOff(old.serverId, f);
    net.heal(...rest);
    net.settle(() => net.syncedWith(rest), "the other three elect a leader without the reconfig");
    const next = net.leader()!;
    // Enough writes that the new leader's log no longer reaches back to the lost entry: SNAP.
    let last = 0;
    for (let i = 0; i < 8; i++) {
      last = next.propose(writeTxn(`/w${i}`));
      net.run(1);
    }
    net.settle(() => next.commitZxid >= last, "the writes commit");
    const snaps = net.delivered.get("snap") ?? 0;
    net.heal(f);
    net.settle(() => net.syncedWith([f]), "the member with the lost reconfig syncs");
    expect(net.delivered.get("snap") ?? 0).toBeGreaterThan(snaps);
    const member = net.nodes.get(f)!;
    expect(member.activeConfig.version).toBe(0);
    expect(member.pendingConfig).toBeUndefined();
    expect(net.configs.get(f)?.active.version ?? 0).toBe(0);
  });

  it("a reconfig left pending by a dead epoch does not keep its member from following the new leader", () => {
    // Found by the simulator: the member counted the lost reconfig's voters when checking that a
    // quorum backs the announced leader, and the one it removes leads now: it never followed.
    const net = new Net();
    for (const id of [1, 2, 3, 4, 5]) net.add(id, idsConfig([1, 2, 3, 4, 5]));
    net.settle(() => net.syncedWith([1, 2, 3, 4, 5]), "five voters synced");
    const old = net.leader()!;
    const [f, ...rest] = [1, 2, 3, 4, 5].filter((id) => id !== old.serverId) as [number, ...number[]];
    // Of equal histories the highest id wins the next election: the lost reconfig removes it.
    const nextId = Math.max(...rest);
    net.cutOff(...rest);
    const lost = old.propose(reconfigTxn(idsConfig([1, 2, 3, 4, 5].filter((id) => id !== nextId))));
    net.run(2);
    expect(net.nodes.get(f)!.pendingConfig?.version).toBe(lost);
    net.cutOff(old.serverId, f);
    net.heal(...rest);
    net.settle(() => net.syncedWith(rest), "the other three elect a leader without the reconfig");
    expect(net.leader()!.serverId).toBe(nextId);
    net.heal(f);
    net.settle(() => net.syncedWith([f]), "the member with the lost reconfig follows");
    expect(net.nodes.get(f)!.pendingConfig).toBeUndefined();
  });

  it("a joiner is no candidate before the reconfig that adds it commits", () => {
    // Found by the simulator: members voted for a joiner with the best history (a pending reconfig
    // adds it), and it led by its own static view of the ensemble, counting itself, committing
    // entries from before the reconfig on two of the four real voters. As ZooKeeper's
    // totalOrderPredicate, a member votes only for voters of its active configuration.
    const net = new Net();
    for (const id of [1, 2, 3]) net.add(id, idsConfig([1, 2, 3]));
    net.settle(() => net.syncedWith([1, 2, 3]), "three voters synced");
    net.add(4, idsConfig([1, 2, 3, 4]));
    net.settle(() => net.syncedWith([4]), "the joiner synced");
    const old = net.leader()!;
    // The proposal reaches everyone, no ack returns: pending on all, committed nowhere.
    net.deafen(old.serverId);
    const zxid = old.propose(reconfigTxn(idsConfig([1, 2, 3, 4])));
    net.run(1);
    for (const id of [1, 2, 3, 4])
      expect(net.nodes.get(id)!.pendingConfig?.version, `member ${id}`).toBe(zxid);
    // The leader goes; of equal histories the highest id, the joiner's, would win.
    net.cutOff(old.serverId);
    const left = [1, 2, 3].filter((id) => id !== old.serverId);
    net.settle(() => net.syncedWith(left), "the two voters left elect one of them");
    expect(net.leader()!.serverId).not.toBe(4);
    net.settle(
      () => net.leader()!.activeConfig.version === zxid,
      "the reconfig commits under the new leader",
    );
    net.settle(() => net.syncedWith([4]), "the joiner follows, a voter now");
  });

  it("a member that missed the reconfig learns it from a peer's notification and stays out", () => {
    const net = new Net();
    for (const id of [1, 2, 3]) net.add(id, idsConfig([1, 2, 3]));
    net.settle(() => net.syncedWith([1, 2, 3]), "three voters synced");
    const leader = net.leader()!;
    const victim = [1, 2, 3].find((id) => id !== leader.serverId)!;
    const left = [1, 2, 3].filter((id) => id !== victim);
    net.cutOff(victim);
    const zxid = leader.propose(reconfigTxn(idsConfig(left)));
    net.settle(() => leader.activeConfig.version === zxid, "the two left commit the removal");
    // The victim restarts with its static configuration, as after a crash before the reconfig.
    const restarted = net.add(victim, idsConfig([1, 2, 3]));
    net.heal(victim);
    net.settle(() => restarted.activeConfig.version === zxid, "the removed member adopts the new config");
    net.run(40);
    expect(restarted.currentRole).toBe("looking");
    expect(leader.currentRole).toBe("leading");
    expect(leader.learners().map((l) => l.id)).not.toContain(victim);
  });

  it("a removed member that a pending reconfig adds back follows the leader and lets it commit", () => {
    // Found by the simulator (seed 63 of 2 voters + 2 spares): a member whose active configuration
    // lacks it idles, yet the reconfig re-adding it needs its ack. The leader's notification names
    // its pending reconfig; a member it adds follows (without a vote until the entry is in its log).
    const net = new Net();
    for (const id of [1, 2, 3]) net.add(id, idsConfig([1, 2, 3]));
    net.settle(() => net.syncedWith([1, 2, 3]), "three voters synced");
    const leader = net.leader()!;
    const [a, b] = [1, 2, 3].filter((id) => id !== leader.serverId) as [number, number];
    const alone = leader.propose(reconfigTxn(idsConfig([leader.serverId])));
    net.settle(
      () => [a, b].every((id) => net.nodes.get(id)!.activeConfig.version === alone),
      "both others learn they are removed",
    );
    net.run(20);
    expect(net.nodes.get(a)!.currentRole).toBe("looking");
    // Re-adding `a` needs a's ack: the new voters are {leader, a}, a majority is both.
    const back = leader.propose(reconfigTxn(idsConfig([leader.serverId, a])));
    net.settle(() => leader.activeConfig.version === back, "the reconfig re-adding a commits");
    net.settle(() => net.nodes.get(a)!.activeConfig.version === back, "a activates it");
    expect(net.nodes.get(a)!.currentRole).toBe("following");
    expect(net.nodes.get(b)!.currentRole).toBe("looking");
  });
});
