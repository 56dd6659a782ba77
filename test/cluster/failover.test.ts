import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type WatchEvent } from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { deferred, waitUntil } from "../support/wait.js";
import { checkMembers, startWriters, type Writes } from "../support/writers.js";

/**
 * Real member processes on loopback. Writers keep creating znodes while members are killed; a
 * create that resolved is acknowledged and must exist on every member afterwards; a create that
 * failed (ConnectionLoss while the leader died) may or may not exist, and nothing else may.
 */
let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({ voters: 3 });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

/** Every member holds every acknowledged write and nothing invented. */
function checkEveryMember(root: string, writes: Writes): Promise<void> {
  return checkMembers(ensemble.members, root, writes);
}

describe("a three-member ensemble", () => {
  it("survives kill -9 of the leader while clients write: new leader, no acknowledged write lost, old leader catches up", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const client = await connect(ensemble.connectString, { sessionTimeoutMs: 30_000 });
    await client.create("/kill-leader", "");
    const writers = startWriters(client, "/kill-leader", 4);
    try {
      await waitUntil("acknowledged writes before the kill", () => writers.writes.acked.size >= 50, 20_000);
      const sessionId = client.sessionId;
      await ensemble.kill(leader);
      const next = await ensemble.waitForLeader({ timeoutMs: 20_000, exclude: [leader] });
      expect(next).not.toBe(leader);
      // Writes continue under the new leader, through the same session.
      const before = writers.writes.acked.size;
      await waitUntil(
        "acknowledged writes after the kill",
        () => writers.writes.acked.size >= before + 50,
        20_000,
      );
      expect(client.sessionId).toBe(sessionId);
      await ensemble.restart(leader);
      await writers.stop();
      await ensemble.waitForLeader({ timeoutMs: 20_000 });
      await checkEveryMember("/kill-leader", writers.writes);
    } finally {
      await writers.stop();
      await client.close();
    }
  });

  it("keeps a client's session, ephemerals and watches when the member it talks to dies", async () => {
    // A follower dies here: the leader keeps its quorum and the client moves on.
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const target = ensemble.members.find((m) => m.id !== leader)!;
    // The client prefers `target`: it is listed first.
    const others = ensemble.members.filter((m) => m.id !== target.id).map((m) => m.address);
    const client = await connect([target.address, ...others], {
      sessionTimeoutMs: 30_000,
      shuffleServers: false,
    });
    const writer = await connect(others, { sessionTimeoutMs: 30_000 });
    try {
      const sessionId = client.sessionId;
      await client.create("/moving-eph", "", { mode: "EPHEMERAL" });
      await writer.create("/moving-watched", "v1");
      const fired = deferred<WatchEvent>();
      // Another member made it: reads are sequentially consistent per client, so sync first.
      await client.sync("/moving-watched");
      await client.getData("/moving-watched", { watch: fired.resolve });
      await ensemble.kill(target.id);
      await ensemble.waitForLeader({ timeoutMs: 20_000, exclude: [target.id] });
      await writer.setData("/moving-watched", "v2");
      expect(await fired.promise).toMatchObject({ type: "NodeDataChanged", path: "/moving-watched" });
      expect(client.sessionId).toBe(sessionId);
      expect(await writer.exists("/moving-eph")).not.toBeNull();
      await client.close();
      await writer.sync("/moving-eph");
      expect(await writer.exists("/moving-eph")).toBeNull();
    } finally {
      await client.close().catch(() => undefined);
      await writer.close();
      await ensemble.restart(target.id);
    }
  });

  it("replaces a leader that hangs without closing its sockets (SIGSTOP), and takes it back after SIGCONT", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const hung = ensemble.members.find((m) => m.id === leader)!;
    const others = ensemble.members.filter((m) => m.id !== leader).map((m) => m.address);
    const client = await connect(others, { sessionTimeoutMs: 30_000 });
    process.kill(hung.pid, "SIGSTOP");
    try {
      // Its streams stay open: the others notice by missing pings (syncLimit) or gRPC keepalive.
      const next = await ensemble.waitForLeader({ timeoutMs: 20_000, exclude: [leader] });
      expect(next).not.toBe(leader);
      await client.create("/while-hung", "");
    } finally {
      process.kill(hung.pid, "SIGCONT");
    }
    await ensemble.waitForLeader({ timeoutMs: 20_000 });
    expect(await ensemble.mode(leader)).toMatch(/^(follower|leader)$/);
    const direct = await connect(hung.address, { sessionTimeoutMs: 20_000 });
    await direct.sync("/while-hung");
    expect(await direct.exists("/while-hung")).not.toBeNull();
    await direct.close();
    await client.close();
  });

  it("restarts every member and keeps the data", async () => {
    const client = await connect(ensemble.connectString, { sessionTimeoutMs: 30_000 });
    await client.create("/restart-all", "kept");
    await client.close();
    for (const m of [...ensemble.members]) await ensemble.stop(m.id);
    for (const m of [...ensemble.members]) await ensemble.restart(m.id);
    await ensemble.waitForLeader({ timeoutMs: 20_000 });
    for (const member of ensemble.members) {
      const direct = await connect(member.address, { sessionTimeoutMs: 20_000 });
      await direct.sync("/restart-all");
      expect(new TextDecoder().decode((await direct.getData("/restart-all")).data)).toBe("kept");
      await direct.close();
    }
  });

  it("stops writes on a member cut off from the others, and catches it up after healing", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const cut = ensemble.members.find((m) => m.id !== leader)!;
    const majority = ensemble.members.filter((m) => m.id !== cut.id).map((m) => m.address);
    const client = await connect(majority, { sessionTimeoutMs: 30_000 });
    try {
      await ensemble.cut(cut.id);
      await waitUntil(
        "the cut member to look for a leader",
        async () => (await ensemble.mode(cut.id)) === "looking",
        20_000,
      );
      // The minority member refuses: it has no leader, so it neither reads nor writes.
      const lonely = await connect(cut.address, { sessionTimeoutMs: 2_000, connectTimeoutMs: 1_500 }).catch(
        (error: unknown) => error,
      );
      expect(lonely).toBeInstanceOf(Error);
      await client.create("/during-cut", "majority");
      await ensemble.heal(cut.id);
      await ensemble.waitForLeader({ timeoutMs: 20_000 });
      const direct = await connect(cut.address, { sessionTimeoutMs: 20_000 });
      await direct.sync("/during-cut");
      expect(await direct.exists("/during-cut")).not.toBeNull();
      await direct.close();
    } finally {
      await ensemble.heal(cut.id);
      await client.close();
    }
  });
});
