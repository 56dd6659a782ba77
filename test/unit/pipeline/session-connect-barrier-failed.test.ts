import { describe, expect, it } from "vitest";
import { Code } from "../../../server/util/error-code.js";
import { connection, type FakeMember, fakeEnsemble } from "./fake-ensemble.js";

// A resume's revalidating barrier that fails (session-connect.ts, revalidate's onFailed), on the
// real Pipelines of three voters on a virtual clock: the follower forwards the barrier, the leader
// never hears it, and the follower is cut off, so the forward fails with the leader change. A
// connection still there is refused with that error; one already gone is sent nothing.

const LOST = "request outcome unknown: leader changed (now looking, epoch 1)";

async function resumeWhileTheFollowerIsCutOff(dropFirst: boolean) {
  const e = fakeEnsemble(3);
  await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
  const leader = e.leader()!;
  const [f1, f2] = e.members.filter((m) => m !== leader) as [FakeMember, FakeMember];
  const a = connection(f1, "10.0.0.1");
  a.connect();
  await e.advanceUntil(() => a.connected, e.scheduler.now() + 2_000);
  const hello = a.received[0]?.kind;
  if (hello?.$case !== "connected") throw new Error("not connected");
  await e.advanceTo(e.scheduler.now() + 500); // the CreateSession applied everywhere

  // The barrier leaves f2 but the leader never hears it: f2 is cut off meanwhile.
  e.hold(leader.id);
  const b = connection(f2, "10.0.0.2");
  b.connect({ sessionId: hello.value.sessionId, password: hello.value.password });
  if (dropFirst) b.conn.drop();
  e.isolate(f2.id);
  await e.advanceUntil(() => !f2.pipeline.isServing, e.scheduler.now() + 2_000);
  await e.advanceTo(e.scheduler.now() + 500);
  e.release(leader.id);
  return { e, b };
}

describe("a resume whose revalidating barrier fails", () => {
  it("with the connection still there: refused with the barrier's error, and ended", async () => {
    const { e, b } = await resumeWhileTheFollowerIsCutOff(false);
    expect(b.received).toEqual([
      {
        kind: {
          $case: "sessionEvent",
          value: { state: 2, error: { code: Code.ConnectionLoss, path: "", message: LOST } },
        },
      },
    ]);
    expect(b.ended).toBe(true);
    e.stop();
  });

  it("with the connection already gone: nothing is sent to it", async () => {
    const { e, b } = await resumeWhileTheFollowerIsCutOff(true);
    expect(b.received).toEqual([]);
    expect(b.ended).toBe(false);
    e.stop();
  });
});
