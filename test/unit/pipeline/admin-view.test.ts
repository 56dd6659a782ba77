import { describe, expect, it } from "vitest";
import { connect, connection, create, member } from "./fake-member.js";

// What the admin commands read of a running member (mntr, stat, cons, wchc, wchp, dump), through
// the pipeline's read-only view of the real fake-clock member.
const exists = (path: string) => ({ $case: "exists" as const, value: { path, watch: true, consistency: 0 } });

async function started() {
  const m = member({}, undefined, { localSessions: { upgrading: true } });
  await m.advanceTo(2_000);
  // Session 0x100 creates an ephemeral (so it is upgraded to a global session) and sets a watch.
  const global = connection(m.pipeline.front, "10.0.4.1");
  global.conn.connect(connect);
  await m.advanceTo(2_100);
  global.send(create("/e", 1));
  global.send(exists("/w"));
  // Session 0x101 stays local to this member.
  const local = connection(m.pipeline.front, "10.0.4.2");
  local.conn.connect(connect);
  await m.advanceTo(2_300);
  return { m, global, local };
}

describe("the admin view of a member", () => {
  it("shows the request counters, the applied zxid and the storage state", async () => {
    const { m, global } = await started();
    const v = m.pipeline.view;
    expect([v.received, v.sent, v.outstanding, v.zxid, v.storageFailed]).toEqual([
      2,
      2,
      0,
      0x1_0000_0002,
      false,
    ]);
    m.storage.failWith = new Error("disk gone");
    global.send(create("/f"));
    await m.advanceTo(2_500);
    expect([v.received, v.storageFailed]).toEqual([3, true]);
    m.stop();
  });

  it("shows the replica's role, epoch, leader, last zxid and proposals in flight", async () => {
    const { m, global } = await started();
    const r = m.pipeline.view.replica;
    expect([
      r.serverId,
      r.broadcasting,
      r.role,
      r.epoch,
      r.leaderId,
      r.lastLoggedZxid,
      r.proposalsInFlight,
    ]).toEqual([1, true, "leading", 1, 1, 0x1_0000_0002, 0]);
    expect(r.learners()).toEqual([]);
    expect(r.leaderReport()).toEqual({ leaderId: 1, epoch: 1, lastZxid: 0x1_0000_0002, learners: [] });
    m.storage.hold();
    global.send(create("/g"));
    await m.advanceTo(2_400);
    expect([r.lastLoggedZxid, r.proposalsInFlight]).toEqual([0x1_0000_0003, 1]);
    m.storage.release();
    m.stop();
  });

  it("shows the tree's, the watches' and the sessions' figures", async () => {
    const { m, global } = await started();
    const v = m.pipeline.view;
    // Nodes: /, /zookeeper, its config and quota nodes, /e.
    expect([v.nodeCount, v.ephemeralCount, v.watchCount, v.sessionCount, v.localSessionCount]).toEqual([
      5, 1, 1, 1, 1,
    ]);
    expect(v.approximateDataSize).toBe(47);
    expect(typeof v.digest).toBe("bigint");
    expect(v.requests.all.count).toBe(2);
    expect(v.ephemeralsOf(0x100n)).toEqual(["/e"]);
    expect(v.ephemeralsOf(0x101n)).toEqual([]);
    expect(v.watchesBySession()).toEqual(new Map([[0x100n, ["/w"]]]));
    expect(v.watchesByPath()).toEqual(new Map([["/w", [0x100n]]]));
    expect(v.sessions()).toEqual([{ id: 0x100n, timeoutMs: 1000 }]);
    // Read when asked: a write later, the figures are the tree's new ones.
    const digest = v.digest;
    global.send(create("/more"));
    await m.advanceTo(2_500);
    expect([v.nodeCount, v.approximateDataSize, v.digest === digest]).toEqual([6, 53, false]);
    m.stop();
  });

  it("shows the watch streams and the change history they read", async () => {
    const { m } = await started();
    const w = m.pipeline.view.watchStreams;
    expect([w.open, w.historyBytes, w.historyBatches, w.historyOldestZxid]).toEqual([0, 327, 1, 0]);
    expect(w.stats.changesSent).toBe(0);
    m.stop();
  });

  it("lists each connection with its address, queue and whether it is attached", async () => {
    const { m, local } = await started();
    const v = m.pipeline.view;
    expect(v.connections()).toEqual([
      { sessionId: 0x100n, address: "10.0.4.1", queued: 0, attached: true },
      { sessionId: 0x101n, address: "10.0.4.2", queued: 0, attached: true },
    ]);
    m.storage.hold();
    local.send(create("/held"));
    local.conn.drop();
    expect(v.connections()[1]).toEqual({
      sessionId: 0x101n,
      address: "10.0.4.2",
      queued: 1,
      attached: false,
    });
    m.storage.release();
    m.stop();
  });
});
