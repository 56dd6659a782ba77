import { describe, expect, it } from "vitest";
import { connection, fakeEnsemble } from "./fake-ensemble.js";

// mntr's connection_revalidate_count and revalidate_count, as ZooKeeper counts them: the first on
// the member a resume reaches (every connect with a session id, known or not), the second on the
// leader, once per resume another member checks with it (ZooKeeper's REVALIDATE packet). A new
// session counts in neither; a resume on the leader itself asks no one.

describe("resume counters (mntr's connection_revalidate_count, revalidate_count)", () => {
  it("counts each resume where it arrives, and each follower's check at the leader", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const follower = e.members.find((m) => m !== leader)!;
    const counts = () =>
      e.members.map((m) => [
        m.pipeline.view.requests.connectionRevalidations,
        m.pipeline.view.requests.revalidations,
      ]);
    const opener = connection(leader, "10.0.0.1");
    opener.connect();
    await e.advanceUntil(() => opener.connected, e.scheduler.now() + 2_000);
    const hello = opener.received.find((r) => r.kind?.$case === "connected");
    if (hello?.kind?.$case !== "connected") throw new Error("not connected");
    const { sessionId, password } = hello.kind.value;
    expect(counts()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);

    const onFollower = connection(follower, "10.0.0.2");
    onFollower.connect({ sessionId, password: Buffer.from(password) });
    await e.advanceUntil(() => onFollower.connected, e.scheduler.now() + 2_000);
    const unknown = connection(follower, "10.0.0.3");
    unknown.connect({ sessionId: 0x77n, password: Buffer.from(password) });
    await e.advanceUntil(
      () => unknown.received.some((r) => r.kind?.$case === "sessionEvent"),
      e.scheduler.now() + 2_000,
    );
    const back = connection(leader, "10.0.0.4");
    back.connect({ sessionId, password: Buffer.from(password) });
    await e.advanceUntil(() => back.connected, e.scheduler.now() + 2_000);

    const byMember = new Map(e.members.map((m, i) => [m, counts()[i]]));
    expect(byMember.get(follower)).toEqual([2, 0]);
    expect(byMember.get(leader)).toEqual([1, 2]);
    const third = e.members.find((m) => m !== leader && m !== follower)!;
    expect(byMember.get(third)).toEqual([0, 0]);
    e.stop();
  });
});
