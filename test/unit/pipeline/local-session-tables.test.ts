import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import { LocalSessionTracker } from "../../../server/pipeline/local-session-tracker.js";
import { LocalSessions } from "../../../server/pipeline/local-sessions.js";
import { Requester } from "../../../server/pipeline/requester.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

// The two tables of sessions a member keeps for itself: LocalSessions (the requesters attached
// here, whatever their kind) and LocalSessionTracker (ZooKeeper's local sessions: deadlines,
// the sessionsMax bound, removal of all when the member stops serving).

class Sink {
  ended = 0;
  readonly sent: ServerMessage[] = [];
  send(m: ServerMessage): void {
    this.sent.push(m);
  }
  end(): void {
    this.ended++;
  }
}

describe("LocalSessions", () => {
  it("holds requesters by session id", () => {
    const local = new LocalSessions();
    const a = new Requester(1n, [], new Sink());
    const b = new Requester(2n, [], undefined);
    local.set(a);
    local.set(b);
    expect([local.size, local.get(1n), local.get(2n), local.get(3n)]).toEqual([2, a, b, undefined]);
    const replaced = new Requester(1n, [], undefined);
    local.set(replaced);
    expect([local.size, local.get(1n)]).toEqual([2, replaced]);
    expect([...local.values()]).toEqual([replaced, b]);
    local.delete(1n);
    expect([local.size, local.get(1n), [...local.values()]]).toEqual([1, undefined, [b]]);
  });

  it("endAll ends each connection once and detaches it; only with forget are the sessions dropped", () => {
    const local = new LocalSessions();
    const sinks = [new Sink(), new Sink()];
    const attached = sinks.map((sink, i) => new Requester(BigInt(i + 1), [], sink));
    const detached = new Requester(9n, [], undefined);
    for (const r of [...attached, detached]) local.set(r);
    local.endAll(false);
    expect(sinks.map((s) => s.ended)).toEqual([1, 1]);
    expect([...local.values()].map((r) => r.sink)).toEqual([undefined, undefined, undefined]);
    expect(local.size).toBe(3);
    local.endAll(true);
    expect(sinks.map((s) => s.ended)).toEqual([1, 1]);
    expect([local.size, local.get(1n)]).toEqual([0, undefined]);
  });
});

describe("LocalSessionTracker", () => {
  it("rounds deadlines up to its tick, as the global table does", () => {
    const t = new LocalSessionTracker({ upgrading: true }, 1000, 10);
    expect(t.options).toEqual({ upgrading: true });
    t.add(1n, 1500, new Uint8Array([7]), 0);
    // Due at 1,500, expired on the 2,000 tick.
    expect(t.expire(1999)).toEqual([]);
    expect(t.expire(2000)).toEqual([1n]);
  });

  it("keeps each session's timeout and password, and takes any timeout from 1 ms", () => {
    const t = new LocalSessionTracker({ upgrading: false }, 10, 10);
    t.add(5n, 1, new Uint8Array([1, 2]), 0);
    t.add(6n, 0x7fff_ffff, new Uint8Array([3]), 0);
    expect(t.get(5n)).toMatchObject({ id: 5n, timeoutMs: 1, password: new Uint8Array([1, 2]) });
    expect(t.get(6n)?.timeoutMs).toBe(0x7fff_ffff);
    expect(t.get(7n)).toBeUndefined();
  });

  it("refuses a session past sessionsMax with Throttled, naming the limit", () => {
    const t = new LocalSessionTracker({ upgrading: false }, 10, 2);
    t.add(1n, 100, new Uint8Array(), 0);
    t.add(2n, 100, new Uint8Array(), 0);
    let error: unknown;
    try {
      t.add(3n, 100, new Uint8Array(), 0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PaddockError);
    expect([(error as PaddockError).code, (error as PaddockError).message]).toEqual([
      Code.Throttled,
      "sessionsMax (2) reached: no new session accepted",
    ]);
  });

  it("a touch moves the deadline; an expired session is gone and returned once", () => {
    const t = new LocalSessionTracker({ upgrading: false }, 100, 10);
    t.add(1n, 1000, new Uint8Array(), 0);
    expect(t.touch(1n, 900)).toBe(true);
    // Due at 1,900: the next tick after it (ZooKeeper's roundToNextInterval).
    expect(t.expire(1999)).toEqual([]);
    expect(t.expire(2000)).toEqual([1n]);
    expect([t.has(1n), t.get(1n), t.touch(1n, 2000), t.size]).toEqual([false, undefined, false, 0]);
    expect(t.expire(10_000)).toEqual([]);
  });

  it("removeAll returns every session and leaves none", () => {
    const t = new LocalSessionTracker({ upgrading: false }, 100, 10);
    for (const id of [3n, 1n, 2n]) t.add(id, 1000, new Uint8Array(), 0);
    expect(t.removeAll().sort()).toEqual([1n, 2n, 3n]);
    expect([t.size, t.has(1n), t.expire(5000)]).toEqual([0, false, []]);
    expect(t.removeAll()).toEqual([]);
    // Ids may come back (a session opened again after the member serves again).
    t.add(1n, 1000, new Uint8Array(), 0);
    expect(t.has(1n)).toBe(true);
  });
});
