import { describe, expect, it } from "vitest";
import { Code } from "../../../server/util/error-code.js";
import { connection, create, type FakeMember, fakeEnsemble } from "./fake-ensemble.js";

// Pipeline's held leading view: a new leader serves only once it has applied the history its core
// committed when it took over (the plant serve-before-apply removes the hold). Its core commits
// that history when a quorum acked NEWLEADER, but the Ready that applies it first makes the new
// epoch durable; while that fsync lags, the Replica's tick already reports the member leading and
// serving, and writes prepped then would be judged against a tree without that history.

const ZXID_SESSION = 0x1_0000_0001; // epoch 1: the client's CreateSession
const ZXID_A = 0x1_0000_0002; // epoch 1: its create of /a, proposed and never committed by leader 3

/** The log lines of one member (its roles as Pipeline.onViewChanged reports them). */
const linesOf = (log: string[], m: FakeMember) =>
  log.filter((l) => l.startsWith(`${m.id}: member`)).map((l) => l.slice(`${m.id}: `.length));

/**
 * Three members, 3 leading; /a is proposed while the fsyncs of both followers lag, so 3 commits
 * nothing; then 3 is cut off and member 2 (the higher id of two equal histories) leads epoch 2.
 */
async function failoverWithALaggingLog(options: { commitReachesOne: boolean }) {
  const e = fakeEnsemble(3);
  await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
  const [one, two, old] = e.members as [FakeMember, FakeMember, FakeMember];
  expect(e.leader()).toBe(old);
  const c = connection(old, "10.0.0.1");
  c.connect();
  await e.advanceUntil(() => c.connected, e.scheduler.now() + 2_000);
  if (!options.commitReachesOne) e.holdStorage(one.id);
  e.holdStorage(two.id);
  c.send(create("/a"));
  await e.advanceUntil(
    () =>
      two.replica.node.lastZxid === ZXID_A &&
      (options.commitReachesOne ? one.pipeline.zxid === ZXID_A : one.replica.node.lastZxid === ZXID_A),
    e.scheduler.now() + 2_000,
  );
  e.isolate(old.id);
  e.releaseStorage(one.id);
  return { e, one, two, old };
}

describe("a new leader whose log lags", () => {
  it("is held back, not serving, until it has applied the history it committed on taking over", async () => {
    const { e, one, two } = await failoverWithALaggingLog({ commitReachesOne: false });
    // Member 2 knows /a only as a proposal: nothing committed it.
    expect([two.pipeline.zxid, two.replica.node.commitZxid]).toEqual([ZXID_SESSION, ZXID_SESSION]);

    // Its first writes as leader (the new acceptedEpoch) wait on its lagging fsync; once they are
    // durable, the fsync of the new currentEpoch lags in turn.
    await e.advanceUntil(
      () => two.replica.node.currentRole === "leading" && e.storageWaiting(two.id) === 2,
      e.scheduler.now() + 10_000,
    );
    e.completeStorage(two.id);
    await e.advanceUntil(() => two.replica.view.serving, e.scheduler.now() + 10_000);
    expect(two.replica.view).toEqual({ role: "leading", epoch: 2, leaderId: 2, serving: true });
    // The core committed /a with its history; the Ready that applies it waits on the fsync.
    expect(two.replica.node.commitZxid).toBe(ZXID_A);
    expect(two.pipeline.zxid).toBe(ZXID_SESSION);
    expect(e.storageWaiting(two.id)).toBe(1);
    expect(two.pipeline.isServing).toBe(false);
    expect(one.pipeline.isServing).toBe(true);

    // A client is refused while the view is held, however long the fsync takes.
    await e.advanceTo(e.scheduler.now() + 1_000);
    const early = connection(two, "10.0.0.2");
    early.connect();
    expect(early.received.map((m) => m.kind)).toEqual([
      {
        $case: "sessionEvent",
        value: {
          state: 2,
          error: {
            code: Code.ConnectionLoss,
            path: "",
            message: "this member is not serving: no leader (election running)",
          },
        },
      },
    ]);
    expect(early.ended).toBe(true);
    expect(two.tree.statOf("/a")).toBeUndefined();
    expect(two.pipeline.isServing).toBe(false);

    // Durable at last: the history is applied, and the held view goes out with that batch.
    e.releaseStorage(two.id);
    await e.advanceUntil(() => two.pipeline.zxid === ZXID_A, e.scheduler.now() + 2_000);
    expect(two.pipeline.isServing).toBe(true);
    expect(linesOf(e.log, two).slice(-3)).toEqual([
      "member 2: leading, epoch 1, leader 2",
      "member 2: leading, epoch 2, leader 2",
      "member 2: leading, epoch 2, leader 2, serving",
    ]);
    // Writes are prepped against the applied history: /a exists.
    const late = connection(two, "10.0.0.3");
    late.connect();
    await e.advanceUntil(() => late.connected, e.scheduler.now() + 2_000);
    const [x] = late.send(create("/a"));
    await e.advanceUntil(() => late.reply(x!) !== undefined, e.scheduler.now() + 2_000);
    expect(late.reply(x!)!.error).toEqual({
      code: Code.NodeExists,
      path: "/a",
      message: "NodeExists for /a",
    });
    e.stop();
  });

  it("is not held when it applied its history before it serves", async () => {
    // Member 2 learned /a's commit while its fsync lagged: it applies /a as soon as the log is
    // durable, before its epoch is established, so nothing is held and its view is reported once.
    const { e, two } = await failoverWithALaggingLog({ commitReachesOne: true });
    expect([two.pipeline.zxid, two.replica.node.commitZxid]).toEqual([ZXID_SESSION, ZXID_A]);
    await e.advanceUntil(
      () => two.replica.node.currentRole === "leading" && e.storageWaiting(two.id) === 2,
      e.scheduler.now() + 10_000,
    );
    e.releaseStorage(two.id);
    await e.advanceUntil(() => two.pipeline.isServing, e.scheduler.now() + 10_000);
    expect(two.pipeline.zxid).toBe(ZXID_A);
    expect(linesOf(e.log, two).slice(-3)).toEqual([
      "member 2: looking, epoch 1, leader -1",
      "member 2: leading, epoch 1, leader 2",
      "member 2: leading, epoch 2, leader 2, serving",
    ]);
    e.stop();
  });
});
