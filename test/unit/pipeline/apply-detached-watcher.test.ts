import { describe, expect, it } from "vitest";
import { connection as ensembleConnection, fakeEnsemble, getData, setData } from "./fake-ensemble.js";
import { connect, connection, create, member } from "./fake-member.js";

// A watch that fires for a session with no connection on this member (found by mutation testing,
// docs/TESTING.md): the event is dropped and apply goes on with the next trigger, transaction and
// reply. Two ways to get there: the session's connection dropped (the session outlives it), and a
// follower that lost its leader, which forgets its clients but keeps global sessions' watches.

describe("apply: a watch of a session without a connection here", () => {
  it("a dropped connection's watch fires into nothing; the writer is answered and later writes apply", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const writer = connection(m.pipeline.front, "10.0.0.1");
    const watcher = connection(m.pipeline.front, "10.0.0.2");
    writer.conn.connect(connect);
    watcher.conn.connect(connect);
    await m.advanceTo(2_100);
    const made = writer.send(create("/w"));
    await m.advanceTo(2_200);
    expect(writer.reply(made)?.result?.$case).toBe("create");
    const watch = watcher.send({ $case: "exists", value: { path: "/w", watch: true, consistency: 0 } });
    await m.advanceTo(2_300);
    expect(watcher.reply(watch)?.result?.$case).toBe("exists");
    const seen = watcher.received.length;
    watcher.conn.drop();
    const write = writer.send({
      $case: "setData",
      value: { path: "/w", data: Buffer.from("new"), version: -1 },
    });
    const after = writer.send(create("/after"));
    await m.advanceTo(2_500);
    expect([writer.reply(write)?.result?.$case, writer.reply(after)?.result?.$case]).toEqual([
      "setData",
      "create",
    ]);
    expect(watcher.received.length).toBe(seen);
    expect(m.leveled.filter((l) => l.startsWith("error"))).toEqual([]);
    m.stop();
  });

  it("a follower back from isolation applies the change that fires a forgotten client's watch, and what follows", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const follower = e.members.find((m) => m !== leader)!;
    const writer = ensembleConnection(leader, "10.0.0.1");
    const watcher = ensembleConnection(follower, "10.0.0.2");
    writer.connect();
    watcher.connect();
    const t0 = e.scheduler.now();
    await e.advanceUntil(() => writer.connected && watcher.connected, t0 + 2_000);
    const [made] = writer.send({
      $case: "create",
      value: { path: "/w", data: Buffer.from("old"), acl: [], mode: 0, ttl: 0n },
    });
    await e.advanceUntil(() => writer.reply(made!) !== undefined, t0 + 3_000);
    const [watch] = watcher.send(getData("/w", { watch: true, linearizable: true }));
    await e.advanceUntil(() => watcher.reply(watch!) !== undefined, t0 + 4_000);
    expect(watcher.reply(watch!)?.result?.$case).toBe("getData");

    // The follower loses its leader and forgets its clients; the watcher's global session and its
    // watch stay. The change commits without it.
    e.isolate(follower.id);
    await e.advanceUntil(() => !follower.pipeline.isServing, t0 + 6_000);
    const [write, after] = writer.send(setData("/w", "new"), setData("/w", "newer"));
    await e.advanceUntil(() => writer.reply(after!) !== undefined, t0 + 8_000);
    expect([writer.reply(write!)?.result?.$case, writer.reply(after!)?.result?.$case]).toEqual([
      "setData",
      "setData",
    ]);

    // Back in: its sync applies both writes, the first firing the watch of a session it no
    // longer holds a connection for.
    e.rejoin(follower.id);
    await e.advanceUntil(() => follower.pipeline.isServing, t0 + 20_000);
    const reader = ensembleConnection(follower, "10.0.0.3");
    reader.connect();
    await e.advanceUntil(() => reader.connected, t0 + 22_000);
    const [read] = reader.send(getData("/w", { linearizable: true }));
    await e.advanceUntil(() => reader.reply(read!) !== undefined, t0 + 24_000);
    const result = reader.reply(read!)?.result;
    expect(result?.$case === "getData" && Buffer.from(result.value.data).toString()).toBe("newer");
    e.stop();
  });
});
