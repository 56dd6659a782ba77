import { describe, expect, it } from "vitest";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { connection, create, type FakeMember, fakeEnsemble, type Op } from "./fake-ensemble.js";

// The leader's check of its own connections against the session owners (intake.ts movedAway,
// as ZooKeeper's checkSession): a session resumed through a follower has moved there, and the
// connection it left on the leader is closed, unanswered, at its next request. Real Pipelines of
// a three-voter ensemble on a virtual clock (fake-ensemble.ts).

type Client = ReturnType<typeof connection>;

function session(c: Client): { id: bigint; password: Buffer } {
  const m = c.received.find((r) => r.kind?.$case === "connected");
  if (m?.kind?.$case !== "connected") throw new Error("not connected");
  return { id: m.kind.value.sessionId, password: Buffer.from(m.kind.value.password) };
}

/** The leader's owner map (its private context). */
const owners = (m: FakeMember) => (m.pipeline as unknown as { ctx: PipelineContext }).ctx.owners;

async function ensemble(options: Parameters<typeof fakeEnsemble>[1] = {}) {
  const e = fakeEnsemble(3, options);
  await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
  const leader = e.leader()!;
  const followers = e.members.filter((m) => m !== leader) as [FakeMember, FakeMember];
  return { e, leader, followers };
}

describe("intake on the leader: a connection whose session moved to another member", () => {
  it("is closed unanswered at its next request; the session goes on where it moved", async () => {
    const { e, leader, followers } = await ensemble();
    const a = connection(leader, "10.0.0.1");
    a.connect();
    await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
    const s = session(a);
    await e.advanceTo(e.scheduler.now() + 500); // the CreateSession applied everywhere
    const b = connection(followers[0], "10.0.0.2");
    b.connect({ sessionId: s.id, password: s.password });
    await e.advanceUntil(() => b.connected, e.scheduler.now() + 2_000);
    expect(a.ended).toBe(false);
    const [stale] = a.send(create("/stale"));
    const [moved] = b.send(create("/moved"));
    await e.advanceUntil(() => b.reply(moved!) !== undefined, e.scheduler.now() + 2_000);
    expect(a.ended).toBe(true);
    expect(a.reply(stale!)).toBeUndefined();
    expect(b.reply(moved!)?.error).toBeUndefined();
    expect(leader.tree.node("/stale")).toBeUndefined();
    expect(leader.tree.node("/moved")?.ephemeralOwner).toBe(0n);
    e.stop();
  });

  it("a connection that keeps its session is answered, and a local session gets no owner", async () => {
    const { e, leader } = await ensemble({ localSessions: { upgrading: false } });
    const a = connection(leader, "10.0.0.1");
    a.connect();
    await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
    const [made] = a.send(create("/kept"));
    await e.advanceUntil(() => a.reply(made!) !== undefined, e.scheduler.now() + 2_000);
    expect(a.reply(made!)?.error).toBeUndefined();
    expect(a.ended).toBe(false);
    // The leader's table does not have a local session: the owner map stays bounded by that table.
    expect(owners(leader).size).toBe(0);
    e.stop();
  });

  it("a connection the session left on the same member cannot write once the new one proposed the close", async () => {
    const { e, leader } = await ensemble();
    const a = connection(leader, "10.0.0.1");
    a.connect();
    await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
    const s = session(a);
    // Resumed on the leader itself: the leader stays the owner; a's connection is ended, but a
    // request of it already on its way still comes in (the door had not dropped it yet).
    const b = connection(leader, "10.0.0.2");
    b.connect({ sessionId: s.id, password: s.password });
    await e.advanceUntil(() => b.connected, e.scheduler.now() + 2_000);
    const ephemeral: Op = {
      $case: "create",
      value: { path: "/eph", data: Buffer.from(""), acl: [], mode: 1, ttl: 0n },
    };
    const [closed] = b.send({ $case: "close", value: {} });
    a.send(ephemeral);
    await e.advanceUntil(() => b.reply(closed!) !== undefined, e.scheduler.now() + 2_000);
    await e.advanceTo(e.scheduler.now() + 500);
    expect(b.reply(closed!)?.error).toBeUndefined();
    // Prepped after the close, the create would commit after it and outlive its session.
    for (const m of e.members) expect(m.tree.node("/eph"), `member ${m.id}`).toBeUndefined();
    expect(leader.pipeline.view.sessions().length).toBe(0);
    e.stop();
  });
});
