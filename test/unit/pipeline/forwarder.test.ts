import { describe, expect, it } from "vitest";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { Forwarder, type Waiter } from "../../../server/pipeline/forwarder.js";
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
});
