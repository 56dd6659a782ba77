import { describe, expect, it } from "vitest";
import type { ForwardedRequest, PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { Forwarder, type Waiter } from "../../../server/pipeline/forwarder.js";
import { Requester } from "../../../server/pipeline/requester.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

// What a follower sends to its leader for a forwarded request, and the lookups that must miss.
function setup(connected = true) {
  const sent: ForwardedRequest[] = [];
  const replica = {
    sendToLeader: (message: PeerMessage) => {
      if (message.kind?.$case === "forward") sent.push(message.kind.value);
      return connected;
    },
  };
  return { forwarder: new Forwarder(replica, 100, 1), sent };
}

function write(sessionId: bigint, xid: number, slotIds = [{ scheme: "digest", id: "a:x" }]): Waiter {
  const request = { xid, timeoutMs: 0, trace: {}, op: undefined };
  const slot = {
    request,
    ids: slotIds,
    reply: undefined,
    barrier: 0,
    deadline: 0,
    span: undefined,
    arrivedMs: 0,
  };
  const requester = new Requester(sessionId, [{ scheme: "ip", id: "10.0.0.1" }], undefined);
  return { requester, slot, barrier: false, onApplied: undefined, onFailed: undefined };
}

const barrierOf = (sessionId: bigint): Waiter => ({
  requester: new Requester(sessionId, [{ scheme: "ip", id: "10.0.0.2" }], undefined),
  slot: undefined,
  barrier: true,
  onApplied: undefined,
  onFailed: undefined,
});

describe("Forwarder requests", () => {
  it("sends the slot's identities (the connection's for a barrier), the session, and localSession only when asked", () => {
    const { forwarder, sent } = setup();
    const w = write(5n, 7);
    forwarder.forward(w, { $case: "request", value: w.slot!.request }, 5n, "/a");
    forwarder.forward(barrierOf(6n), { $case: "barrier", value: {} }, 6n, "/", undefined, true);
    expect(sent.map((r) => [r.ref, r.sessionId, r.ids, r.localSession, r.ephemeralAllowed])).toEqual([
      [1, 5n, [{ scheme: "digest", id: "a:x" }], false, true],
      [2, 6n, [{ scheme: "ip", id: "10.0.0.2" }], true, true],
    ]);
  });

  it("without a connection to the leader: ConnectionLoss naming the path, nothing left pending", () => {
    const { forwarder } = setup(false);
    const attempt = () => forwarder.forward(write(5n, 7), { $case: "barrier", value: {} }, 5n, "/p");
    expect(attempt).toThrow(PaddockError);
    try {
      attempt();
    } catch (e) {
      const error = e as PaddockError;
      expect([error.code, error.path, error.message]).toEqual([
        Code.ConnectionLoss,
        "/p",
        "no connection to the leader: try again",
      ]);
    }
    expect(forwarder.size).toBe(0);
  });

  it("a committed transaction of another session with the same handle and xid is not the waiter's", () => {
    const { forwarder } = setup();
    const w = write(5n, 7);
    forwarder.forward(w, { $case: "request", value: w.slot!.request }, 5n, "/a");
    expect(forwarder.takeCommitted(1, 9n, 7)).toBeUndefined();
    expect(forwarder.takeCommitted(1, 5n, 7)).toBe(w);
  });

  it("a handle whose waiter is gone, or beyond 2^32-1, finds nothing while others are pending", () => {
    const { forwarder } = setup();
    const a = write(5n, 1);
    const b = write(5n, 2);
    forwarder.forward(a, { $case: "request", value: a.slot!.request }, 5n, "/a");
    forwarder.forward(b, { $case: "request", value: b.slot!.request }, 5n, "/b");
    expect(forwarder.take(2)).toBe(b);
    expect(forwarder.takeCommitted(2, 5n, 2)).toBeUndefined();
    expect(forwarder.take(1 + 0xffff_ffff)).toBeUndefined();
    expect(forwarder.takeCommitted(1 + 0xffff_ffff, 5n, 1)).toBeUndefined();
    expect(forwarder.take(1)).toBe(a);
  });
});
