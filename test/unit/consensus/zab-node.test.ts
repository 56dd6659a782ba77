import { describe, expect, it } from "vitest";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { makeZxid } from "../../../server/util/zxid.js";

const txn = (): Txn => ({
  zxid: 0n,
  sessionId: 0n,
  cxid: 0,
  origin: 0,
  originRef: 0,
  time: 0n,
  body: { $case: "delete", value: { path: "/a" } },
});

function single(lastZxid = 0): ZabNode {
  return new ZabNode({ id: 1, voters: [1], acceptedEpoch: 0, lastZxid, proposalsInFlightMax: 3 });
}

describe("ZabNode, ensemble of one", () => {
  it("leads a new epoch above the recovered one", () => {
    const node = single(makeZxid(4, 17));
    expect(node.currentRole).toBe("leading");
    expect(node.currentEpoch).toBe(5);
    expect(node.peekZxid()).toBe(makeZxid(5, 1));
  });

  it("persists before it commits: entries first, committed only once persisted()", () => {
    const node = single();
    const zxid = node.propose(txn());
    expect(zxid).toBe(makeZxid(1, 1));
    const first = node.ready();
    expect(first.entries.map((e) => e.zxid)).toEqual([zxid]);
    expect(first.committed).toEqual([]);
    node.advance(first);
    // Advanced but not yet durable: nothing may commit.
    expect(node.hasReady()).toBe(false);
    node.persisted(first);
    const second = node.ready();
    expect(second.entries).toEqual([]);
    expect(second.committed.map((e) => e.zxid)).toEqual([zxid]);
    node.advance(second);
    expect(node.hasReady()).toBe(false);
  });

  it("groups proposals made during a flush into the next Ready, which may be cut before the fsync ends", () => {
    const node = single();
    node.propose(txn());
    const first = node.ready();
    node.propose(txn());
    node.propose(txn());
    node.advance(first);
    const second = node.ready();
    expect(second.entries).toHaveLength(2);
    expect(second.committed).toHaveLength(0);
    node.advance(second);
    node.persisted(first);
    expect(node.ready().committed).toHaveLength(1);
  });

  it("refuses persisted() out of Ready order", () => {
    const node = single();
    node.propose(txn());
    const first = node.ready();
    node.advance(first);
    node.propose(txn());
    const second = node.ready();
    node.advance(second);
    expect(() => node.persisted(second)).toThrow(/out of order/);
  });

  it("bounds proposals in flight and refuses a stale Ready", () => {
    const node = single();
    node.propose(txn());
    node.propose(txn());
    node.propose(txn());
    expect(node.canPropose()).toBe(false);
    expect(() => node.propose(txn())).toThrow(/proposalsInFlightMax/);
    const stale = node.ready();
    node.advance(stale);
    expect(() => node.advance(stale)).toThrow(/stale Ready/);
  });

  it("sets the zxid on the transaction it proposes", () => {
    const node = single();
    const t = txn();
    const zxid = node.propose(t);
    expect(t.zxid).toBe(BigInt(zxid));
  });

  it("starts LOOKING with more than one voter and votes for itself", () => {
    const node = new ZabNode({
      id: 1,
      voters: [1, 2, 3],
      acceptedEpoch: 0,
      lastZxid: 0,
      proposalsInFlightMax: 1,
    });
    expect(node.currentRole).toBe("looking");
    expect(node.canPropose()).toBe(false);
    const ready = node.ready();
    expect(ready.messages.map((m) => m.to)).toEqual([2, 3]);
    expect(ready.messages[0]?.message).toMatchObject({
      type: "notification",
      vote: { leader: 1 },
      state: "looking",
    });
  });
});

describe("ZabNode Ready hand-off", () => {
  it("never lets a proposal made during a flush ride on the Ready being flushed", () => {
    const node = single();
    node.propose(txn());
    const flushing = node.ready();
    const late = node.propose(txn());
    expect(flushing.entries).toHaveLength(1);
    expect(node.lastZxid).toBe(late);
    node.advance(flushing);
    const next = node.ready();
    expect(next.entries.map((e) => e.zxid)).toEqual([late]);
    expect(() => node.ready()).toThrow(/twice/);
  });
});
