import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import { Code } from "../../../server/util/error-code.js";
import { connection, type FakeMember, fakeEnsemble, type Op } from "./fake-ensemble.js";

// A session's close and a later ephemeral create of the same session, sent through different
// members or connections (found by the real-pipeline simulator, seeds 376 and 76, docs/TESTING.md):
// once the leader has proposed the close, it must refuse the session's writes whatever their way in.
// Prepped after the close, the create committed after it and the ephemeral outlived its session on
// every member. Plant: test/planted/close-not-marked-closing.patch.

const ephemeral = (path: string): Op => ({
  $case: "create",
  value: { path, data: Buffer.from(""), acl: [], mode: 1, ttl: 0n },
});
const close: Op = { $case: "close", value: {} };

type Client = ReturnType<typeof connection>;

function session(c: Client): { id: bigint; password: Buffer } {
  const m = c.received.find((r) => r.kind?.$case === "connected");
  if (m?.kind?.$case !== "connected") throw new Error("not connected");
  return { id: m.kind.value.sessionId, password: Buffer.from(m.kind.value.password) };
}

/** Resumes `s` on a new connection to `member`. */
function resume(member: FakeMember, address: string, s: { id: bigint; password: Buffer }): Client {
  const c = connection(member, address);
  c.conn.connect({
    sessionId: s.id,
    password: s.password,
    timeoutMs: 30_000,
    lastZxidSeen: 0n,
    auth: [],
    watches: undefined,
  });
  return c;
}

/** The error code `c` got for `xid` (0 for none), undefined while unanswered. */
function answer(c: Client, xid: number): number | undefined {
  const reply = c.reply(xid);
  return reply === undefined ? undefined : (reply.error?.code ?? 0);
}

/** The resume was refused with SessionExpired. */
function resumeExpired(c: Client): boolean {
  return c.received.some(
    (m: ServerMessage) =>
      m.kind?.$case === "sessionEvent" && m.kind.value.error?.code === Code.SessionExpired,
  );
}

async function ensemble(size: number) {
  const e = fakeEnsemble(size);
  await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
  const leader = e.leader()!;
  const followers = e.members.filter((m) => m !== leader);
  return { e, leader, followers };
}

describe("a session's writes after its close is proposed (real Pipelines, virtual clock)", () => {
  // Once the session has moved, its close through the member it left is refused as ZooKeeper's
  // leader refuses it (SessionMoved: that connection is closed unanswered); the session lives on
  // where it moved, and its ephemeral with it. (Before sessions had owners, the close committed and
  // these creates were refused as closed; the race itself is pinned on one member below.)
  for (const to of ["leader", "another follower"] as const) {
    it(`a close through the follower the session left for ${to} is refused, its connection closed`, async () => {
      const { e, leader, followers } = await ensemble(3);
      const [f1, f2] = followers as [FakeMember, FakeMember];
      const a = connection(f1, "10.0.0.1");
      a.connect();
      await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
      const s = session(a);
      await e.advanceTo(e.scheduler.now() + 500); // the createSession applied everywhere
      const b = resume(to === "leader" ? leader : f2, "10.0.0.2", s);
      await e.advanceUntil(() => b.connected || resumeExpired(b), e.scheduler.now() + 2_000);
      expect(b.connected).toBe(true);
      const [closed] = a.send(close);
      const [made] = b.send(ephemeral("/eph"));
      await e.advanceUntil(() => answer(b, made!) !== undefined && a.ended, e.scheduler.now() + 2_000);
      await e.advanceTo(e.scheduler.now() + 500);
      expect(answer(a, closed!)).toBeUndefined();
      expect(answer(b, made!)).toBe(0);
      for (const m of e.members) expect(m.tree.node("/eph")?.ephemeralOwner, `member ${m.id}`).toBe(s.id);
      e.stop();
    });
  }

  it("close on the leader, then the session resumed there: the resume is refused, nothing is created", async () => {
    const { e, leader } = await ensemble(1);
    const a = connection(leader, "10.0.0.1");
    a.connect();
    await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
    const s = session(a);
    // In one step: the close is proposed, not yet applied, when the resume and the create come.
    a.send(close);
    const b = resume(leader, "10.0.0.2", s);
    const [made] = b.send(ephemeral("/eph"));
    await e.advanceTo(e.scheduler.now() + 1_000);
    expect(b.connected).toBe(false);
    expect(resumeExpired(b)).toBe(true);
    expect(answer(b, made!)).not.toBe(0);
    expect(leader.tree.node("/eph")).toBeUndefined();
    e.stop();
  });

  it("a close proposed by a leader that lost its quorum: the session resumes on that member afterwards", async () => {
    const { e, leader } = await ensemble(3);
    // The virtual clock moves only to events that are due: step it to absolute times.
    let t = e.scheduler.now();
    const until = async (done: () => boolean): Promise<void> => {
      for (const end = t + 30_000; !done(); t += 100) {
        if (t > end) throw new Error(`not done by ${end} ms; log:\n${e.log.join("\n")}`);
        await e.advanceTo(t);
      }
    };
    const a = connection(leader, "10.0.0.1");
    a.connect();
    await until(() => a.connected);
    const s = session(a);
    // The leader proposes the close and loses its followers: the close never commits.
    e.isolate(leader.id);
    a.send(close);
    await until(() => !leader.pipeline.isServing);
    e.rejoin(leader.id);
    await until(() => e.members.every((m) => m.pipeline.isServing) && e.leader() !== undefined);
    // The session is live on every member: the member that proposed the close must not keep it
    // as closing and tell the client it expired.
    const b = resume(leader, "10.0.0.2", s);
    await until(() => b.connected || resumeExpired(b));
    expect(resumeExpired(b)).toBe(false);
    expect(b.connected).toBe(true);
    const [made] = b.send(ephemeral("/eph"));
    await until(() => answer(b, made!) !== undefined);
    expect(answer(b, made!)).toBe(0);
    e.stop();
  });
});
