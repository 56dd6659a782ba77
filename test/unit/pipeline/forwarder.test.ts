import { describe, expect, it } from "vitest";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { Forwarder, firstHandle, type Waiter } from "../../../server/pipeline/forwarder.js";
import { Requester } from "../../../server/pipeline/requester.js";

function setup(firstSeq: number) {
  const sent: number[] = [];
  const replica = {
    sendToLeader: (message: PeerMessage) => {
      if (message.kind?.$case === "forward") sent.push(message.kind.value.ref);
      return true;
    },
  };
  const forwarder = new Forwarder(replica, 100, firstSeq);
  const requester = new Requester(1n, [], undefined);
  const waiter = (): Waiter => ({
    requester,
    slot: undefined,
    barrier: false,
    onApplied: undefined,
    onFailed: undefined,
  });
  const forward = (): Waiter => {
    const w = waiter();
    forwarder.forward(w, { $case: "barrier", value: {} }, 1n, "/");
    return w;
  };
  return { forwarder, sent, forward };
}

describe("Forwarder handles", () => {
  it("wrap from 2^32-1 to 1 and each reply finds its own waiter, in order or not", () => {
    const { forwarder, sent, forward } = setup(0xffff_fffe);
    const waiters = [forward(), forward(), forward(), forward()];
    expect(sent).toEqual([0xffff_fffe, 0xffff_ffff, 1, 2]);
    expect(forwarder.take(1)).toBe(waiters[2]);
    expect(forwarder.take(0xffff_fffe)).toBe(waiters[0]);
    expect(forwarder.take(1)).toBeUndefined();
    expect(forwarder.take(0)).toBeUndefined();
    expect(forwarder.take(7)).toBeUndefined();
    expect(forwarder.size).toBe(2);
    expect(forwarder.take(0xffff_ffff)).toBe(waiters[1]);
    expect(forwarder.takeAll()).toEqual([waiters[3]]);
    expect(forwarder.size).toBe(0);
  });

  it("refuses past forwardedRequestsMax with Throttled", () => {
    const { forwarder, forward } = setup(1);
    for (let i = 0; i < 100; i++) forward();
    expect(() => forward()).toThrow(/forwardedRequestsMax 100/);
    expect(forwarder.size).toBe(100);
  });

  it("a committed transaction is taken for a waiter only if it is that waiter's request (session and xid)", () => {
    // A member that restarted reuses handles: a transaction its previous incarnation forwarded,
    // committed after the restart, carries a handle of a new request (seed 1342 of sim-real).
    const forwarder = new Forwarder({ sendToLeader: () => true }, 100, 1);
    const write = (sessionId: bigint, xid: number): Waiter => {
      const request = { xid, timeoutMs: 0, trace: {}, op: undefined };
      const slot = {
        request,
        ids: [],
        reply: undefined,
        barrier: 0,
        deadline: 0,
        span: undefined,
        arrivedMs: 0,
      };
      const requester = new Requester(sessionId, [], undefined);
      return { requester, slot, barrier: false, onApplied: undefined, onFailed: undefined };
    };
    const mine = write(5n, 7);
    forwarder.forward(mine, { $case: "request", value: mine.slot!.request }, 5n, "/e");
    expect(forwarder.takeCommitted(1, 9n, 25)).toBeUndefined(); // another session's, same handle
    expect(forwarder.takeCommitted(1, 5n, 6)).toBeUndefined(); // an earlier request of the session
    expect(forwarder.size).toBe(1);
    expect(forwarder.takeCommitted(1, 5n, 7)).toBe(mine);
    // A barrier's (and a new session's) transaction has xid 0.
    const { forwarder: barriers, forward } = setup(1);
    const barrier = forward();
    expect(barriers.takeCommitted(1, 1n, 3)).toBeUndefined();
    expect(barriers.takeCommitted(1, 1n, 0)).toBe(barrier);
  });

  it("first handles come from random bytes, 1 to 2^32-1", () => {
    expect(firstHandle(new Uint8Array([0, 0, 0, 0]))).toBe(1);
    expect(firstHandle(new Uint8Array([0xff, 0xff, 0xff, 0xfe]))).toBe(0xffff_ffff);
    expect(firstHandle(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe(1);
    expect(firstHandle(new Uint8Array([0, 0, 1, 0]))).toBe(257);
  });
});
