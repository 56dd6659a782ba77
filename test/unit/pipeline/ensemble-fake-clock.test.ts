import { describe, expect, it } from "vitest";
import { connection, create, fakeEnsemble, getData, setData, sync } from "./fake-ensemble.js";

const text = (reply: ReturnType<ReturnType<typeof connection>["reply"]>): string | undefined =>
  reply?.result?.$case === "getData" ? Buffer.from(reply.result.value.data).toString() : undefined;

describe("watch events and replies applied in one batch (real Pipeline, virtual clock)", () => {
  it("another session's watch fires before that session's reply carried by the same batch", async () => {
    const e = fakeEnsemble(1);
    const [m] = e.members;
    await e.advanceUntil(() => m!.pipeline.isServing, 5_000);
    const writer = connection(m!, "10.0.0.1");
    const watcher = connection(m!, "10.0.0.2");
    writer.connect();
    watcher.connect();
    await e.advanceUntil(() => writer.connected && watcher.connected, 6_000);
    const [, made] = writer.send(create("/w"), create("/x"));
    await e.advanceUntil(() => writer.reply(made!) !== undefined, 7_000);
    const [watch] = watcher.send(getData("/w", { watch: true }));
    expect(text(watcher.reply(watch!))).toBe("old");

    // In one synchronous run, so the Ready loop proposes, commits and applies all three in one
    // batch: the writer's setData of /w, then the watcher's own write and a read queued behind it.
    const [write] = writer.send(setData("/w", "new"));
    const [own, read] = watcher.send(setData("/x", "mine"), getData("/w"));
    await e.advanceUntil(() => watcher.reply(read!) !== undefined, 8_000);
    expect(text(watcher.reply(read!))).toBe("new");
    expect(writer.reply(write!)?.error).toBeUndefined();
    // The watcher's reply to its own later write, and its read, both show /w's new data.
    expect(watcher.order().slice(-3)).toEqual(["event /w", `reply ${own}`, `reply ${read}`]);
    e.stop();
  });
});

describe("a follower whose apply is held back (3 voters, real Pipelines, virtual clock)", () => {
  it("answers a linearizable read and sync only after it applied the write, never with stale data", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const lagging = e.members.find((m) => m !== leader)!;
    const writer = connection(leader, "10.0.0.1");
    const reader = connection(lagging, "10.0.0.2");
    writer.connect();
    reader.connect();
    const t0 = e.scheduler.now();
    await e.advanceUntil(() => writer.connected && reader.connected, t0 + 2_000);
    const [made] = writer.send(create("/k"));
    await e.advanceUntil(() => writer.reply(made!) !== undefined, t0 + 3_000);
    // The follower has /k = old before it falls behind.
    const [before] = reader.send(getData("/k", { linearizable: true }));
    await e.advanceUntil(() => reader.reply(before!) !== undefined, t0 + 4_000);
    expect(text(reader.reply(before!))).toBe("old");

    // From now on nothing from the other members reaches the follower; the write commits with
    // the leader and the third member.
    e.hold(lagging.id);
    const [write] = writer.send(setData("/k", "new"));
    await e.advanceUntil(() => writer.reply(write!) !== undefined, t0 + 5_000);
    const written = writer.reply(write!)!;
    expect(written.error).toBeUndefined();

    // The follower is behind: a plain (sequentially consistent) read still sees the old data...
    const [stale] = reader.send(getData("/k"));
    expect(text(reader.reply(stale!))).toBe("old");
    // ...but a linearizable read and a sync must not be answered from that state: they wait
    // (or fail) for as long as the follower has not applied the write.
    const [linearizable, synced, after] = reader.send(
      getData("/k", { linearizable: true }),
      sync("/k"),
      getData("/k"),
    );
    await e.advanceTo(e.scheduler.now() + 1_000);
    for (const xid of [linearizable!, synced!, after!]) {
      const reply = reader.reply(xid);
      if (reply !== undefined) expect(reply.error, `xid ${xid} answered from stale state`).toBeDefined();
    }
    expect(lagging.tree.lastZxid).toBeLessThan(Number(written.zxid));

    e.release(lagging.id);
    await e.advanceUntil(() => reader.reply(after!) !== undefined, e.scheduler.now() + 3_000);
    expect(text(reader.reply(linearizable!))).toBe("new");
    expect(reader.reply(synced!)?.zxid).toBeGreaterThan(written.zxid);
    expect(text(reader.reply(after!))).toBe("new");
    e.stop();
  });
});

describe("a resume on a member that has not applied the session yet (3 voters, real Pipelines, virtual clock)", () => {
  /** The connected message's session id and password, or an error when the connect was refused. */
  const session = (c: ReturnType<typeof connection>) => {
    const m = c.received.find((r) => r.kind?.$case === "connected");
    if (m?.kind?.$case !== "connected") throw new Error(`not connected: ${JSON.stringify(c.received)}`);
    const { sessionId, password, zxid } = m.kind.value;
    return { sessionId, password: Buffer.from(password), zxid: Number(zxid) };
  };
  const refusal = (c: ReturnType<typeof connection>) => {
    const m = c.received.find((r) => r.kind?.$case === "sessionEvent");
    return m?.kind?.$case === "sessionEvent" ? m.kind.value.error?.message : undefined;
  };

  it("asks the leader before judging the session, as ZooKeeper's revalidateSession: not 'expired'", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const lagging = e.members.find((m) => m !== leader)!;
    e.hold(lagging.id);
    const opener = connection(leader, "10.0.0.1");
    opener.connect();
    const t0 = e.scheduler.now();
    await e.advanceUntil(() => opener.connected, t0 + 2_000);
    const { sessionId, password, zxid } = session(opener);
    expect(lagging.tree.lastZxid).toBeLessThan(zxid);

    // Resumed on the member that has not applied the session, without lastZxidSeen.
    const resumer = connection(lagging, "10.0.0.2");
    resumer.connect({ sessionId, password });
    await e.advanceTo(e.scheduler.now() + 1_000);
    expect(refusal(resumer)).toBeUndefined();
    expect(resumer.connected).toBe(false);

    e.release(lagging.id);
    await e.advanceUntil(
      () => resumer.connected || refusal(resumer) !== undefined,
      e.scheduler.now() + 3_000,
    );
    expect(refusal(resumer)).toBeUndefined();
    expect(session(resumer).sessionId).toBe(sessionId);
    const [made] = resumer.send(create("/resumed"));
    await e.advanceUntil(() => resumer.reply(made!) !== undefined, e.scheduler.now() + 2_000);
    expect(resumer.reply(made!)?.error).toBeUndefined();
    e.stop();
  });

  it("still refuses an unknown session and a wrong password, after the leader's barrier", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const follower = e.members.find((m) => m !== leader)!;
    const opener = connection(leader, "10.0.0.1");
    opener.connect();
    const t0 = e.scheduler.now();
    await e.advanceUntil(() => opener.connected, t0 + 2_000);
    const { sessionId, password } = session(opener);

    const unknown = connection(follower, "10.0.0.2");
    unknown.connect({ sessionId: 0x1234_5678n, password });
    const wrong = connection(follower, "10.0.0.3");
    wrong.connect({ sessionId, password: Buffer.alloc(16, 7) });
    const onLeader = connection(leader, "10.0.0.4");
    onLeader.connect({ sessionId: 0x1234_5679n, password });
    await e.advanceUntil(
      () => [unknown, wrong, onLeader].every((c) => refusal(c) !== undefined),
      e.scheduler.now() + 3_000,
    );
    expect(refusal(unknown)).toBe("session 0x12345678 expired or unknown");
    expect(refusal(onLeader)).toBe("session 0x12345679 expired or unknown");
    expect(refusal(wrong)).toBe(`session 0x${sessionId.toString(16)}: wrong password`);
    expect([unknown, wrong, onLeader].some((c) => c.connected)).toBe(false);
    e.stop();
  });
});
