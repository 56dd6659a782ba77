import { describe, expect, it } from "vitest";
import { LocalSessionTracker } from "../../../server/pipeline/local-session-tracker.js";
import { createsEphemeral } from "../../../server/pipeline/local-session-upgrade.js";
import { Code } from "../../../server/util/error-code.js";
import { connection, create, type FakeMember, fakeEnsemble, getData, type Op } from "./fake-ensemble.js";

// ZooKeeper's local sessions on the real Pipelines of three voters, on a virtual clock. What a
// client sees is pinned against ZooKeeper itself in test/clients/zk/local-sessions.test.ts; here
// the member-side facts: no transaction for open or close, who knows the session, the upgrade.

const createOp = (path: string, mode = 0) => ({
  $case: "create" as const,
  value: { path, data: Buffer.from("e"), acl: [], mode, ttl: 0n },
});
const ephemeral = (path: string) => createOp(path, 1);
const multi = (...ops: ReturnType<typeof createOp>[]): Op => ({
  $case: "multi",
  value: { ops: ops.map((op) => ({ op })) },
});
const close: Op = { $case: "close", value: {} };
const ping: Op = { $case: "ping", value: {} };

type Ensemble = ReturnType<typeof fakeEnsemble>;
type Client = ReturnType<typeof connection>;

async function started(
  upgrading: boolean,
): Promise<{ e: Ensemble; leader: FakeMember; follower: FakeMember }> {
  const e = fakeEnsemble(3, { localSessions: { upgrading } });
  await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
  const leader = e.leader()!;
  return { e, leader, follower: e.members.find((m) => m !== leader)! };
}

async function opened(e: Ensemble, member: FakeMember, address: string, timeoutMs = 30_000): Promise<Client> {
  const c = connection(member, address);
  c.connect({ timeoutMs });
  await e.advanceUntil(() => c.connected, e.scheduler.now() + 1_000);
  return c;
}

async function answered(e: Ensemble, c: Client, xids: number[]): Promise<void> {
  await e.advanceUntil(() => xids.every((x) => c.reply(x) !== undefined), e.scheduler.now() + 2_000);
}

function session(c: Client): { sessionId: bigint; password: Buffer } {
  const m = c.received.find((r) => r.kind?.$case === "connected");
  if (m?.kind?.$case !== "connected") throw new Error("not connected");
  return { sessionId: m.kind.value.sessionId, password: m.kind.value.password };
}

describe("LocalSessionTracker", () => {
  it("keeps deadlines in buckets, touches, expires and removes", () => {
    const t = new LocalSessionTracker({ upgrading: false }, 100, 10);
    t.add(1n, 1_000, new Uint8Array([1]), 0);
    t.add(2n, 5_000, new Uint8Array([2]), 0);
    expect([t.size, t.has(1n), t.has(3n)]).toEqual([2, true, false]);
    expect(t.touch(1n, 800)).toBe(true);
    expect(t.touch(3n, 800)).toBe(false);
    expect(t.expire(1_500)).toEqual([]);
    expect(t.expire(2_000)).toEqual([1n]);
    expect([t.size, t.has(1n), t.get(1n)]).toEqual([1, false, undefined]);
    t.remove(2n);
    expect(t.size).toBe(0);
  });

  it("asks for an upgrade only for an ephemeral create, alone or in a multi", () => {
    const persistent = createOp("/p");
    expect(createsEphemeral(ephemeral("/e"))).toBe(true);
    expect(createsEphemeral(createOp("/s", 3))).toBe(true); // EPHEMERAL_SEQUENTIAL
    expect(createsEphemeral(persistent)).toBe(false);
    expect(createsEphemeral(multi(persistent, ephemeral("/e")))).toBe(true);
    expect(createsEphemeral(multi(persistent))).toBe(false);
    expect(createsEphemeral(getData("/p"))).toBe(false);
  });
});

describe("local sessions in a three-voter ensemble (real Pipelines, virtual clock)", () => {
  it("open, write and close a follower's local session with no session transaction", async () => {
    const { e, leader, follower } = await started(false);
    const zxid = follower.pipeline.zxid;
    const c = await opened(e, follower, "10.0.0.1");
    expect(follower.pipeline.zxid).toBe(zxid);
    expect([follower.pipeline.view.localSessionCount, leader.pipeline.view.sessionCount]).toEqual([1, 0]);

    const [made, eph, both] = c.send(create("/p"), ephemeral("/e"), multi(createOp("/q"), ephemeral("/f")));
    await answered(e, c, [made!, eph!, both!]);
    expect(c.reply(made!)?.error).toBeUndefined();
    expect(c.reply(eph!)?.error?.code).toBe(Code.EphemeralOnLocalSession);
    // The follower's session is unknown to the leader: ZooKeeper's leader says SessionExpired.
    const result = c.reply(both!)?.result;
    expect(
      result?.$case === "multi" &&
        result.value.results.map((r) => r.result?.$case === "error" && r.result.value.code),
    ).toEqual([Code.OK, Code.SessionExpired]);
    expect(leader.tree.lastZxid).toBe(follower.tree.lastZxid);

    const after = follower.pipeline.zxid;
    const [closed] = c.send(close);
    await answered(e, c, [closed!]);
    expect(c.reply(closed!)?.error).toBeUndefined();
    expect(follower.pipeline.zxid).toBe(after);
    expect(follower.pipeline.view.localSessionCount).toBe(0);
    e.stop();
  });

  it("the leader's own local session: its ephemeral is refused there, also in a multi", async () => {
    const { e, leader } = await started(false);
    const c = await opened(e, leader, "10.0.0.2");
    expect([leader.pipeline.view.localSessionCount, leader.pipeline.view.sessionCount]).toEqual([1, 0]);
    const [eph, both] = c.send(ephemeral("/e"), multi(createOp("/q"), ephemeral("/f")));
    await answered(e, c, [eph!, both!]);
    expect(c.reply(eph!)?.error?.code).toBe(Code.EphemeralOnLocalSession);
    const result = c.reply(both!)?.result;
    expect(
      result?.$case === "multi" &&
        result.value.results.map((r) => r.result?.$case === "error" && r.result.value.code),
    ).toEqual([Code.OK, Code.EphemeralOnLocalSession]);
    e.stop();
  });

  it("a local session resumes on its own member only, and expires there when silent", async () => {
    const { e, leader, follower } = await started(false);
    const c = await opened(e, follower, "10.0.0.3", 2_000);
    const elsewhere = connection(leader, "10.0.0.4");
    elsewhere.connect(session(c));
    await e.advanceUntil(() => elsewhere.received.length > 0, e.scheduler.now() + 1_000);
    expect(elsewhere.received[0]?.kind).toMatchObject({
      $case: "sessionEvent",
      value: { error: { code: Code.SessionExpired } },
    });
    const again = connection(follower, "10.0.0.3");
    again.connect(session(c));
    await e.advanceUntil(() => again.connected, e.scheduler.now() + 1_000);

    // Pings keep it; silence past the 2 s timeout ends it on its member, with no transaction.
    const zxid = follower.pipeline.zxid;
    for (let i = 0; i < 6; i++) {
      again.send(ping);
      await e.advanceTo(e.scheduler.now() + 500);
    }
    expect(follower.pipeline.view.localSessionCount).toBe(1);
    await e.advanceUntil(() => follower.pipeline.view.localSessionCount === 0, e.scheduler.now() + 5_000);
    expect(again.received.at(-1)?.kind).toMatchObject({ $case: "sessionEvent", value: { state: 3 } });
    expect(e.log.some((l) => l.includes("expiring local session"))).toBe(true);
    expect(follower.pipeline.zxid).toBe(zxid);
    e.stop();
  });

  it("local sessions end when their member stops following, as ZooKeeper's fresh server", async () => {
    const { e, follower } = await started(false);
    const c = await opened(e, follower, "10.0.0.7");
    e.isolate(follower.id);
    await e.advanceUntil(() => !follower.pipeline.isServing, e.scheduler.now() + 5_000);
    expect(follower.pipeline.view.localSessionCount).toBe(0);
    e.rejoin(follower.id);
    await e.advanceUntil(() => follower.pipeline.isServing, e.scheduler.now() + 10_000);
    const back = connection(follower, "10.0.0.7");
    back.connect(session(c));
    await e.advanceUntil(() => back.received.length > 0, e.scheduler.now() + 1_000);
    expect(back.received[0]?.kind).toMatchObject({
      $case: "sessionEvent",
      value: { error: { code: Code.SessionExpired } },
    });
    e.stop();
  });

  it("upgrades on the first ephemeral create, keeping the session's order", async () => {
    const { e, leader, follower } = await started(true);
    const c = await opened(e, follower, "10.0.0.5");
    // One batch: a read before, the ephemeral create, a read of it after: answered in order.
    const [before, eph, after, both] = c.send(
      getData("/e"),
      ephemeral("/e"),
      getData("/e"),
      multi(createOp("/q"), ephemeral("/f")),
    );
    await answered(e, c, [before!, eph!, after!, both!]);
    expect(c.reply(before!)?.error?.code).toBe(Code.NoNode);
    expect(c.reply(eph!)?.error).toBeUndefined();
    expect(c.reply(after!)?.error).toBeUndefined();
    expect(c.reply(both!)?.error).toBeUndefined();
    expect(c.order().filter((o) => o.startsWith("reply"))).toEqual(
      [before, eph, after, both].map((x) => `reply ${x}`),
    );
    const { sessionId } = session(c);
    expect(follower.pipeline.view.localSessionCount).toBe(0);
    expect(leader.pipeline.view.sessionCount).toBe(1);
    expect(leader.tree.ephemeralsOf(sessionId)?.size ?? 0).toBe(2);

    // Global now: it resumes on another member, and its close (a transaction) takes the ephemerals.
    const moved = connection(leader, "10.0.0.5");
    moved.connect(session(c));
    await e.advanceUntil(() => moved.connected, e.scheduler.now() + 1_000);
    const [closed] = moved.send(close);
    await answered(e, moved, [closed!]);
    await e.advanceUntil(
      () => (follower.tree.ephemeralsOf(sessionId)?.size ?? 0) === 0,
      e.scheduler.now() + 1_000,
    );
    expect(leader.pipeline.view.sessionCount).toBe(0);
    e.stop();
  });
});

describe("local sessions off (the default)", () => {
  it("a new session is a CreateSession transaction known to every member", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const follower = e.members.find((m) => m !== leader)!;
    const zxid = follower.pipeline.zxid;
    const c = await opened(e, follower, "10.0.0.6");
    const [eph] = c.send(ephemeral("/e"));
    await answered(e, c, [eph!]);
    expect(c.reply(eph!)?.error).toBeUndefined();
    expect(follower.pipeline.zxid).toBeGreaterThan(zxid);
    expect([follower.pipeline.view.localSessionCount, leader.pipeline.view.sessionCount]).toEqual([0, 1]);
    e.stop();
  });
});
