import { describe, expect, it } from "vitest";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { Code } from "../../../server/util/error-code.js";
import { connection, create, type FakeMember, fakeEnsemble, type Op } from "./fake-ensemble.js";

// Pipeline.onViewChanged's reset when leading ends: prep's outstanding changes and the session
// owners are the leader's soft state of one term. A write prepped and never committed in one term
// must not shape the next term's writes, and a view change while still leading (a lone voter's
// new epoch) must keep the changes still in flight.

const ZXID_SESSION = 0x1_0000_0001; // epoch 1: the client's CreateSession
const ZXID_A = 0x1_0000_0002; // epoch 1: its create of /a, proposed by 3 and never committed
/** The last counter of an epoch is 0xfffffffe (zab-node.ts: 0xffffffff is never proposed). */
const COUNTER_LAST = 0xffff_fffe;

/** The member's private context (its owner map is read, as in leader-intake-moved.test.ts). */
const ctxOf = (m: FakeMember) => (m.pipeline as unknown as { ctx: PipelineContext }).ctx;

const sequential = (path: string): Op => ({
  $case: "create",
  value: { path, data: Buffer.from("x"), acl: [], mode: 2, ttl: 0n },
});

/** The session a connection got: its id and password, to resume it elsewhere or later. */
function sessionOf(c: ReturnType<typeof connection>) {
  const hello = c.received.find((m) => m.kind?.$case === "connected")?.kind;
  if (hello?.$case !== "connected") throw new Error("not connected");
  return { sessionId: hello.value.sessionId, password: hello.value.password };
}

describe("leading ends: the term's prep state and session owners go with it", () => {
  it("a create prepped by 3 in epoch 1 and never committed does not make 3's next term refuse it", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const [one, two, three] = e.members as [FakeMember, FakeMember, FakeMember];
    expect(e.leader()?.id).toBe(three.id);
    const c = connection(three, "10.0.0.1");
    c.connect();
    await e.advanceUntil(() => c.connected, e.scheduler.now() + 2_000);
    const session = sessionOf(c);
    expect(ctxOf(three).owners.size).toBe(1);

    // The followers never hear the proposal of /a: 3 has prepped it, nobody commits it.
    e.hold(one.id);
    e.hold(two.id);
    c.send(create("/a"));
    await e.advanceUntil(() => three.replica.node.lastZxid === ZXID_A, e.scheduler.now() + 2_000);
    e.isolate(three.id);
    e.release(one.id);
    e.release(two.id);
    await e.advanceUntil(
      () => two.pipeline.isServing && one.pipeline.isServing && !three.pipeline.isServing,
      e.scheduler.now() + 30_000,
    );
    expect(two.replica.view).toEqual({ role: "leading", epoch: 2, leaderId: 2, serving: true });
    // Leading ended on 3: its owner map is empty (what it learned goes with the term).
    expect(three.pipeline.isServing).toBe(false);
    expect(ctxOf(three).owners.size).toBe(0);

    // 3 follows 2 (its /a cut from its log); then 2 is cut off and 3 (the higher id of two equal
    // histories) leads epoch 3. Nothing was committed after the session: 3's prep, had it kept
    // epoch 1's changes, would still count /a as outstanding.
    e.rejoin(three.id);
    await e.advanceUntil(() => three.pipeline.isServing, e.scheduler.now() + 30_000);
    expect(three.replica.view).toEqual({ role: "following", epoch: 2, leaderId: 2, serving: true });
    e.isolate(two.id);
    await e.advanceUntil(
      () => three.replica.view.role === "leading" && three.pipeline.isServing && one.pipeline.isServing,
      e.scheduler.now() + 30_000,
    );
    expect(three.replica.view).toEqual({ role: "leading", epoch: 3, leaderId: 3, serving: true });
    expect([three.pipeline.zxid, three.replica.node.commitZxid]).toEqual([ZXID_SESSION, ZXID_SESSION]);
    expect(three.tree.statOf("/a")).toBeUndefined();

    // The session resumes on the leader (no transaction) and creates /a: it is created.
    const again = connection(three, "10.0.0.1");
    again.connect(session);
    expect(again.connected).toBe(true);
    const [x] = again.send(create("/a"));
    await e.advanceUntil(() => again.reply(x!) !== undefined, e.scheduler.now() + 2_000);
    expect(again.reply(x!)?.error).toBeUndefined();
    expect(again.reply(x!)?.result).toMatchObject({ $case: "create", value: { path: "/a" } });
    expect(three.tree.statOf("/a")?.mzxid).toBe(0x3_0000_0001n);
    e.stop();
  });
});

describe("a view change while still leading keeps prep's outstanding changes", () => {
  it("a lone voter's new epoch: a sequential create after it is numbered after the one still in flight", async () => {
    const e = fakeEnsemble(1);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const [lone] = e.members as [FakeMember];
    const c = connection(lone, "10.0.0.1");
    c.connect();
    await e.advanceUntil(() => c.connected, e.scheduler.now() + 2_000);
    const session = sessionOf(c);
    const [parent] = c.send(create("/s"));
    await e.advanceUntil(() => c.reply(parent!) !== undefined, e.scheduler.now() + 2_000);

    // The counter is at the epoch's last zxid: the next proposal starts epoch 2 (the private
    // counter set as zab-node-counter.test.ts does). Its fsync lags, so it stays outstanding.
    (lone.replica.node as unknown as { s: { nextCounter: number } }).s.nextCounter = COUNTER_LAST;
    e.holdStorage(lone.id);
    const [first] = c.send(sequential("/s/n-"));
    await e.advanceUntil(() => c.reply(first!) !== undefined, e.scheduler.now() + 2_000);
    // The epoch changed under the leader's feet: its clients were told the outcome is unknown.
    expect(c.reply(first!)?.error).toEqual({
      code: Code.ConnectionLoss,
      path: "",
      message: "request outcome unknown: leader changed (now leading, epoch 2)",
    });
    expect(lone.replica.view).toEqual({ role: "leading", epoch: 2, leaderId: 1, serving: true });
    expect(lone.pipeline.isServing).toBe(true);
    expect(lone.tree.statOf("/s")?.cversion).toBe(0);

    // The session resumes and creates another sequential child while the first is in flight.
    const again = connection(lone, "10.0.0.1");
    again.connect(session);
    expect(again.connected).toBe(true);
    const [second] = again.send(sequential("/s/n-"));
    e.releaseStorage(lone.id);
    await e.advanceUntil(() => again.reply(second!) !== undefined, e.scheduler.now() + 2_000);
    expect(again.reply(second!)?.error).toBeUndefined();
    expect(again.reply(second!)?.result).toMatchObject({
      $case: "create",
      value: { path: "/s/n-0000000001" },
    });
    expect(lone.tree.getChildren("/s", []).children.sort()).toEqual(["n-0000000000", "n-0000000001"]);
    e.stop();
  });
});
