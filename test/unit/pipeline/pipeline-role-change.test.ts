import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import { Code } from "../../../server/util/error-code.js";
import { create, type FakeMember, fakeEnsemble, type Op } from "./fake-ensemble.js";

// Pipeline.onViewChanged on three real Pipelines (fake-ensemble.ts): when a member's role or
// serving state changes, its requests in flight get ConnectionLoss naming the change, its
// connections end, its watch streams stop if it stopped serving, and its log says what it is now.

/** A connection whose messages and end are recorded. */
function client(m: FakeMember, address: string) {
  const received: ServerMessage[] = [];
  let ended = false;
  let xid = 0;
  const conn = m.pipeline.front.accept(address, {
    send: (message) => received.push(message),
    end: () => {
      ended = true;
    },
  });
  conn.connect({
    sessionId: 0n,
    password: Buffer.alloc(0),
    timeoutMs: 60_000,
    lastZxidSeen: 0n,
    auth: [],
    watches: undefined,
  });
  return {
    received,
    get ended() {
      return ended;
    },
    get connected() {
      return received.some((r) => r.kind?.$case === "connected");
    },
    send(op: Op): number {
      conn.submit([{ xid: ++xid, timeoutMs: 0, trace: {}, op }]);
      return xid;
    },
    reply(x: number) {
      const r = received.find((m) => m.kind?.$case === "reply" && m.kind.value.xid === x);
      return r?.kind?.$case === "reply" ? r.kind.value : undefined;
    },
  };
}

const spec = {
  path: "/",
  recursive: true,
  fromZxid: undefined,
  withData: false,
  childrenEvents: false,
  progressIntervalMs: 0,
  withPrevData: false,
  eventTypes: [],
  fragment: false,
};

describe("a member whose role changes", () => {
  it("an isolated leader: its write in flight fails, its clients and streams end, it logs its new role", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const leader = e.leader()!;
    const c = client(leader, "10.0.0.1");
    await e.advanceUntil(() => c.connected, e.scheduler.now() + 2_000);
    expect(leader.pipeline.view.connections().map((x) => x.attached)).toEqual([true]);
    const canceled: unknown[] = [];
    leader.pipeline.front.watch(spec, [], {
      send: (m) => canceled.push(m.kind),
      bufferedBytes: 0,
      end: () => {},
    });
    expect(e.log).toContain(
      `${leader.id}: member ${leader.id}: leading, epoch 1, leader ${leader.id}, serving`,
    );

    e.isolate(leader.id);
    const write = c.send(create("/lost"));
    await e.advanceUntil(() => c.reply(write) !== undefined, e.scheduler.now() + 30_000);
    expect(c.reply(write)?.error).toEqual({
      code: Code.ConnectionLoss,
      path: "",
      message: "request outcome unknown: leader changed (now looking, epoch 1)",
    });
    expect(c.ended).toBe(true);
    // Its connections are forgotten too: cons lists none.
    expect(leader.pipeline.view.connections()).toEqual([]);
    expect(leader.pipeline.isServing).toBe(false);
    expect(e.log).toContain(`${leader.id}: member ${leader.id}: looking, epoch 1, leader -1`);
    expect(canceled.at(-1)).toMatchObject({
      $case: "canceled",
      value: {
        reason: 3,
        message: "the member stopped serving (now looking): resume from last_zxid on another member",
      },
    });
    e.stop();
  });

  it("an isolated follower: its forwarded write in flight fails the same way", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const follower = e.members.find((m) => m !== e.leader())!;
    const c = client(follower, "10.0.0.2");
    await e.advanceUntil(() => c.connected, e.scheduler.now() + 2_000);
    // The forward leaves, but the leader never hears it: the follower is cut off meanwhile.
    const leaderId = e.leader()!.id;
    e.hold(leaderId);
    const write = c.send(create("/lost"));
    e.isolate(follower.id);
    await e.advanceUntil(() => c.reply(write) !== undefined, e.scheduler.now() + 30_000);
    e.release(leaderId);
    expect(c.reply(write)?.error).toEqual({
      code: Code.ConnectionLoss,
      path: "",
      message: "request outcome unknown: leader changed (now looking, epoch 1)",
    });
    expect(c.ended).toBe(true);
    e.stop();
  });

  it("a new leader gives every session a fresh timeout: a session silent through the failover is not expired at once", async () => {
    const e = fakeEnsemble(3);
    await e.advanceUntil(() => e.members.every((m) => m.pipeline.isServing), 10_000);
    const old = e.leader()!;
    const c = client(old, "10.0.0.3");
    await e.advanceUntil(() => c.connected, e.scheduler.now() + 2_000);
    const hello = c.received[0]?.kind;
    if (hello?.$case !== "connected") throw new Error("not connected");
    const hex = `0x${hello.value.sessionId.toString(16)}`;
    // 50 s of the session's 60 s timeout pass in silence; then the leader is cut off. The other
    // members applied the session 50 s ago: a new leader that kept that deadline would expire it
    // 10 s after taking over.
    await e.advanceTo(e.scheduler.now() + 50_000);
    e.isolate(old.id);
    await e.advanceUntil(() => {
      const l = e.leader();
      return l !== undefined && l !== old && l.pipeline.isServing;
    }, e.scheduler.now() + 30_000);
    const next = e.leader()!;
    const tookOver = e.scheduler.now();
    await e.advanceTo(tookOver + 55_000);
    expect(e.log.filter((l) => l.includes(`expiring session ${hex}`))).toEqual([]);
    await e.advanceUntil(
      () => e.log.some((l) => l === `${next.id}: expiring session ${hex}`),
      tookOver + 60_000 * 1.5 + 5_000,
    );
    e.stop();
  });
});
