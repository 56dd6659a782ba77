import { describe, expect, it } from "vitest";
import type { Ready } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { Waiter } from "../../../server/pipeline/forwarder.js";
import type { MemberState } from "../../../server/pipeline/member-state.js";
import { Proposer } from "../../../server/pipeline/proposer.js";
import { Requester } from "../../../server/pipeline/requester.js";
import { SessionTable } from "../../../server/sessions/index.js";
import type { TxnBody } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { refusal } from "./refusal.js";

// The one propose path on a real single-voter ZabNode, elected and broadcasting: what each
// refusal says, what the proposed transaction carries, and the waiters it keeps by zxid.

const EPOCH_1 = 2 ** 32;

/** A standalone voter ticked until it leads and broadcasts; its Readys persisted at once. */
function leader(proposalsInFlightMax = 10): { node: ZabNode; readies: Ready[] } {
  const node = new ZabNode({ id: 1, voters: [1], acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax });
  const readies: Ready[] = [];
  for (let tick = 0; tick < 100 && !node.isBroadcasting; tick++) {
    node.tick();
    drain(node, readies);
  }
  if (!node.isBroadcasting) throw new Error("the standalone voter did not lead within 100 ticks");
  readies.length = 0;
  return { node, readies };
}

/** Takes every Ready, without persisting (so proposals stay in flight). */
function drain(node: ZabNode, readies: Ready[], persist = true): void {
  while (node.hasReady()) {
    const ready = node.ready();
    readies.push(ready);
    node.advance(ready);
    if (persist && ready.entries.length > 0) node.persisted(ready);
  }
}

function setup(options: { proposalsInFlightMax?: number; member?: Partial<MemberState> } = {}) {
  const { node, readies } = leader(options.proposalsInFlightMax);
  const member: MemberState = { leading: true, serving: true, storageFailure: undefined, ...options.member };
  const sessions = new SessionTable({
    tickMs: 2000,
    minTimeoutMs: 400,
    maxTimeoutMs: 60_000,
    sessionsMax: 10,
  });
  let kicks = 0;
  let now = 1_700_000_000_123;
  const proposer = new Proposer(
    node,
    member,
    () => kicks++,
    () => now,
    options.proposalsInFlightMax ?? 10,
    sessions,
  );
  return {
    node,
    readies,
    member,
    sessions,
    proposer,
    get kicks() {
      return kicks;
    },
    setNow(ms: number) {
      now = ms;
    },
  };
}

const noop: TxnBody = { $case: "noop", value: {} } as TxnBody;
const waiter = (name: string): Waiter => ({
  requester: new Requester(BigInt(name.length), [], undefined),
  slot: undefined,
  barrier: false,
  onApplied: undefined,
  onFailed: undefined,
});

describe("Proposer.assertWritable", () => {
  it("refuses after a storage failure first, naming the failure, even on a leader", () => {
    const p = setup({ member: { storageFailure: new Error("disk gone") } });
    expect(refusal(() => p.proposer.assertWritable())).toEqual({
      code: Code.SystemError,
      path: "",
      message: "not accepting writes: storage failed: disk gone",
    });
  });

  it("refuses on a member that does not lead", () => {
    const p = setup({ member: { leading: false } });
    expect(refusal(() => p.proposer.assertWritable())).toEqual({
      code: Code.ConnectionLoss,
      path: "",
      message: "this member does not lead",
    });
  });

  it("refuses at proposalsInFlightMax proposals in flight, naming the limit, and not one before", () => {
    const p = setup({ proposalsInFlightMax: 2 });
    p.proposer.propose(1n, 1, () => noop, undefined, undefined);
    expect(() => p.proposer.assertWritable()).not.toThrow();
    p.proposer.propose(1n, 2, () => noop, undefined, undefined);
    expect(refusal(() => p.proposer.assertWritable())).toEqual({
      code: Code.Throttled,
      path: "",
      message: "not accepting writes: 2 proposals in flight (proposalsInFlightMax)",
    });
    // propose checks the same before it builds anything.
    let built = 0;
    expect(() =>
      p.proposer.propose(
        1n,
        3,
        () => {
          built++;
          return noop;
        },
        undefined,
        undefined,
      ),
    ).toThrow("2 proposals in flight");
    expect(built).toBe(0);
    expect(p.kicks).toBe(2);
  });
});

describe("Proposer.propose", () => {
  it("builds against the zxid the core assigns, and proposes the transaction with its fields", () => {
    const p = setup();
    p.setNow(1_700_000_000_456);
    const seen: [number, string][] = [];
    const zxid = p.proposer.propose(
      0x1234_5678_9abc_def0n,
      42,
      (z: number, arg: string) => {
        seen.push([z, arg]);
        return { $case: "delete", value: { path: arg } } as TxnBody;
      },
      "/a",
      undefined,
      { member: 3, ref: 77 },
    );
    expect(zxid).toBe(EPOCH_1 + 1);
    expect(seen).toEqual([[EPOCH_1 + 1, "/a"]]);
    expect(p.kicks).toBe(1);
    drain(p.node, p.readies);
    const entries = p.readies.flatMap((r) => r.entries);
    expect(entries).toEqual([
      {
        zxid: EPOCH_1 + 1,
        txn: {
          zxid: BigInt(EPOCH_1 + 1),
          sessionId: 0x1234_5678_9abc_def0n,
          cxid: 42,
          time: 1_700_000_000_456n,
          origin: 3,
          originRef: 77,
          body: { $case: "delete", value: { path: "/a" } },
        },
      },
    ]);
  });

  it("gives a local proposal origin 0 and ref 0", () => {
    const p = setup();
    p.proposer.propose(5n, 1, () => noop, undefined, undefined);
    drain(p.node, p.readies);
    const txn = p.readies.flatMap((r) => r.entries)[0]!.txn;
    expect([txn.origin, txn.originRef]).toEqual([0, 0]);
  });

  it("proposes nothing, kicks nothing and keeps no waiter when the body is undefined: returns 0", () => {
    const p = setup();
    const before = p.node.peekZxid();
    expect(p.proposer.propose(5n, 1, () => undefined, undefined, waiter("w"))).toBe(0);
    expect(p.node.peekZxid()).toBe(before);
    expect(p.kicks).toBe(0);
    expect(p.proposer.takeAll()).toEqual([]);
    drain(p.node, p.readies);
    expect(p.readies.flatMap((r) => r.entries)).toEqual([]);
  });

  it("marks the session closing when it proposes its close, and only then", () => {
    const p = setup();
    p.sessions.add(9n, 1000, new Uint8Array(16), 0);
    p.sessions.add(10n, 1000, new Uint8Array(16), 0);
    p.proposer.propose(9n, 1, () => noop, undefined, undefined);
    expect(p.sessions.get(9n)?.closing).toBe(false);
    p.proposer.propose(10n, 2, () => ({ $case: "closeSession", value: {} }) as TxnBody, undefined, undefined);
    expect(p.sessions.get(10n)?.closing).toBe(true);
    expect(p.sessions.get(9n)?.closing).toBe(false);
  });

  it("keeps waiters by zxid: take finds its own once, takeAll gives the rest oldest first", () => {
    const p = setup();
    const [a, b, c] = [waiter("a"), waiter("bb"), waiter("ccc")];
    const za = p.proposer.propose(1n, 1, () => noop, undefined, a);
    p.proposer.propose(1n, 2, () => noop, undefined, undefined);
    const zb = p.proposer.propose(1n, 3, () => noop, undefined, b);
    const zc = p.proposer.propose(1n, 4, () => noop, undefined, c);
    expect([za, zb, zc]).toEqual([EPOCH_1 + 1, EPOCH_1 + 3, EPOCH_1 + 4]);
    expect(p.proposer.take(EPOCH_1 + 2)).toBeUndefined();
    expect(p.proposer.take(zb)).toBe(b);
    expect(p.proposer.take(zb)).toBeUndefined();
    expect(p.proposer.takeAll()).toEqual([
      [za, a],
      [zc, c],
    ]);
    expect(p.proposer.takeAll()).toEqual([]);
  });

  it("asserts when something proposed between prep's read of the zxid and the proposal", () => {
    const p = setup();
    const z = p.node.peekZxid();
    const nested = (): TxnBody => {
      // A build that proposes on its own breaks prep's outstanding records: the assertion names both.
      p.node.propose({ zxid: 0n, sessionId: 0n, cxid: 0, time: 0n, origin: 0, originRef: 0, body: noop });
      return noop;
    };
    expect(refusal(() => p.proposer.propose(1n, 1, nested, undefined, undefined)).message).toBe(
      `proposal got zxid ${z + 1}, prep used ${z}`,
    );
  });
});
