import { describe, expect, it } from "vitest";
import type { AdminContext } from "../../../server/admin/commands.js";
import { ensembleFigures } from "../../../server/admin/console-figures.js";
import type { LeaderReport } from "../../../server/pipeline/admin-view.js";

const zxid = (epoch: number, counter: number): number => epoch * 2 ** 32 + counter;

/** Member 1 of three, following leader 2 in epoch 5 (or looking), with what the leader reported. */
function follower(report: LeaderReport | undefined, reachable: number[] = []): AdminContext {
  const broadcasting = report !== undefined;
  return {
    view: {
      zxid: zxid(5, 8),
      replica: {
        serverId: 1,
        broadcasting,
        role: broadcasting ? "following" : "looking",
        epoch: 5,
        leaderId: broadcasting ? 2 : -1,
        lastLoggedZxid: zxid(5, 8),
        learners: () => [],
        leaderReport: () => report,
      },
    },
    ensembleSize: 3,
    clientAddress: "127.0.0.1:2181",
    figures: {
      members: [1, 2, 3].map((id) => ({
        id,
        host: "127.0.0.1",
        quorumPort: 2887 + id,
        electionPort: 3887 + id,
        observer: false,
      })),
      peerConnected: (id: number) => reachable.includes(id),
    },
  } as unknown as AdminContext;
}

const row = (ctx: AdminContext, id: number) => {
  const m = ensembleFigures(ctx).members.find((x) => x.id === id)!;
  return { role: m.role, health: m.health, zxid: m.zxid, lag: m.lag };
};

describe("the console's ensemble view on a follower", () => {
  it("shows every member as the leader reported it", () => {
    const ctx = follower({
      leaderId: 2,
      epoch: 5,
      lastZxid: zxid(5, 10),
      learners: [
        { id: 1, observer: false, synced: true, ackedZxid: zxid(5, 8) },
        { id: 3, observer: false, synced: false, ackedZxid: zxid(4, 2) },
      ],
    });
    expect(row(ctx, 1)).toEqual({ role: "follower", health: "up", zxid: "0x500000008", lag: 2 });
    expect(row(ctx, 2)).toEqual({ role: "leader", health: "up", zxid: "0x50000000a", lag: 0 });
    // Another epoch's zxid has no lag in transactions.
    expect(row(ctx, 3)).toEqual({ role: "follower", health: "syncing", zxid: "0x400000002", lag: undefined });
  });

  it("a member the leader does not count as a learner is down", () => {
    const ctx = follower({ leaderId: 2, epoch: 5, lastZxid: zxid(5, 10), learners: [] });
    expect(row(ctx, 3)).toEqual({ role: "", health: "down", zxid: undefined, lag: undefined });
    expect(row(ctx, 2).role).toBe("leader");
  });

  it("without a leader: unreachable members are down, reachable ones unknown", () => {
    const ctx = follower(undefined, [3]);
    expect(row(ctx, 1)).toMatchObject({ role: "looking", health: "up" });
    expect(row(ctx, 2)).toMatchObject({ role: "", health: "down" });
    expect(row(ctx, 3)).toMatchObject({ role: "", health: "unknown" });
  });
});
