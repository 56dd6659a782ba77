import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { Code } from "../../../server/util/error-code.js";
import { connection, create, type FakeMember, fakeEnsemble } from "./fake-ensemble.js";

// A resume's revalidation through the leader (session-connect.ts) and the owner it sets, on the
// real Pipelines of a three-voter ensemble on a virtual clock: the password is checked before the
// barrier when this member knows the session, and again after it when it did not yet; a
// connection gone while its barrier is pending gets nothing; a local session needs no barrier
// and has no owner.

type Client = ReturnType<typeof connection>;

function session(c: Client): { id: bigint; password: Buffer } {
  const m = c.received.find((r) => r.kind?.$case === "connected");
  if (m?.kind?.$case !== "connected") throw new Error("not connected");
  return { id: m.kind.value.sessionId, password: Buffer.from(m.kind.value.password) };
}
const wrongPassword = (id: bigint): ServerMessage[] => [
  {
    kind: {
      $case: "sessionEvent",
      value: {
        state: 3,
        error: {
          code: Code.SessionExpired,
          path: "",
          message: `session 0x${id.toString(16)}: wrong password`,
        },
      },
    },
  },
];
const owners = (m: FakeMember) => (m.pipeline as unknown as { ctx: PipelineContext }).ctx.owners;

async function ensemble(options: Parameters<typeof fakeEnsemble>[1] = {}) {
  const e = fakeEnsemble(3, options);
  await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
  const leader = e.leader()!;
  const [f1, f2] = e.members.filter((m) => m !== leader) as [FakeMember, FakeMember];
  return { e, leader, f1, f2 };
}

describe("a resume's revalidation and the session's owner", () => {
  it("a wrong password where the session is known is refused before any barrier: the owner stays", async () => {
    const { e, f1, f2 } = await ensemble();
    const a = connection(f1, "10.0.0.1");
    a.connect();
    await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
    const s = session(a);
    await e.advanceTo(e.scheduler.now() + 500); // the CreateSession applied everywhere
    const wrong = connection(f2, "10.0.0.2");
    wrong.connect({ sessionId: s.id, password: Buffer.alloc(16, 9) });
    expect(wrong.received).toEqual(wrongPassword(s.id));
    expect(wrong.ended).toBe(true);
    // Had it moved the session to f2, a's next write would be refused SessionMoved.
    const [made] = a.send(create("/still-a"));
    await e.advanceUntil(() => a.reply(made!) !== undefined, e.scheduler.now() + 2_000);
    expect(a.reply(made!)?.error).toBeUndefined();
    expect(a.ended).toBe(false);
    e.stop();
  });

  it("a wrong password where the session is not applied yet is refused once the barrier applied", async () => {
    const { e, f1, f2 } = await ensemble();
    e.hold(f2.id); // f2 applies nothing new: the session opened through f1 is unknown there
    const a = connection(f1, "10.0.0.1");
    a.connect();
    await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
    const s = session(a);
    const wrong = connection(f2, "10.0.0.2");
    wrong.connect({ sessionId: s.id, password: Buffer.alloc(16, 9) });
    await e.advanceTo(e.scheduler.now() + 200);
    expect(wrong.received).toEqual([]);
    e.release(f2.id);
    await e.advanceUntil(() => wrong.ended, e.scheduler.now() + 2_000);
    expect(wrong.received).toEqual(wrongPassword(s.id));
    // The leader checked the password before moving the owner (the barrier carries it): the
    // session still belongs to f1, whose connection keeps writing. Without the check this write
    // was refused SessionMoved and the connection closed, unanswered (round five found it).
    const [made] = a.send(create("/still-a"));
    await e.advanceUntil(() => a.reply(made!) !== undefined || a.ended, e.scheduler.now() + 2_000);
    expect(a.reply(made!)?.error).toBeUndefined();
    expect(a.ended).toBe(false);
    e.stop();
  });

  it("a connection dropped while its barrier is pending gets no answer", async () => {
    const { e, f1, f2 } = await ensemble();
    const a = connection(f1, "10.0.0.1");
    a.connect();
    await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
    const s = session(a);
    await e.advanceTo(e.scheduler.now() + 500);
    const b = connection(f2, "10.0.0.2");
    b.connect({ sessionId: s.id, password: s.password });
    b.conn.drop();
    await e.advanceTo(e.scheduler.now() + 1_000);
    expect(b.received).toEqual([]);
    e.stop();
  });

  it("a local session resumes on its member with no barrier (no transaction) and no owner", async () => {
    const { e, leader, f1 } = await ensemble({ localSessions: { upgrading: false } });
    for (const m of [f1, leader]) {
      const a = connection(m, "10.0.0.1");
      a.connect();
      await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
      const s = session(a);
      const zxid = m.pipeline.zxid;
      const b = connection(m, "10.0.0.2");
      b.connect({ sessionId: s.id, password: s.password });
      // Answered at once: a barrier would wait for a noop to commit and apply.
      expect(b.connected, `member ${m.id}`).toBe(true);
      await e.advanceTo(e.scheduler.now() + 500);
      expect(m.pipeline.zxid, `member ${m.id}`).toBe(zxid);
    }
    expect(owners(leader).size).toBe(0);
    e.stop();
  });
});
