import { describe, expect, it } from "vitest";
import type { Entry, HardState } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { ReadyLoop } from "../../../server/replica/ready-loop.js";
import type { Storage } from "../../../server/replica/storage.js";
import { txnOf } from "../../sim/disk.js";

/** Appends that become durable only when the test says so, in call order. */
class GatedStorage implements Storage {
  failure = undefined;
  /** Highest zxid whose append resolved. */
  durableZxid = 0;
  readonly waiting: { last: number; resolve: () => void }[] = [];
  append(entries: readonly Entry[]): Promise<void> {
    const last = entries[entries.length - 1]!.zxid;
    return new Promise((resolve) => this.waiting.push({ last, resolve }));
  }
  /** Makes the oldest pending append durable. */
  completeOne(): void {
    const next = this.waiting.shift()!;
    this.durableZxid = next.last;
    next.resolve();
  }
  async truncate(): Promise<void> {}
  snapshotInstalled(): void {}
  async saveHardState(_state: HardState): Promise<void> {}
  async close(): Promise<void> {}
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe("ReadyLoop: nothing is committed before the storage says it is durable", () => {
  it("applies a standalone member's proposal only after its append resolved", async () => {
    const node = new ZabNode({
      id: 1,
      voters: [1],
      acceptedEpoch: 0,
      lastZxid: 0,
      proposalsInFlightMax: 100,
    });
    const storage = new GatedStorage();
    const applied: number[] = [];
    const problems: string[] = [];
    const loop = new ReadyLoop(node, storage, queueMicrotask, {
      apply: (committed) => {
        for (const e of committed) {
          if (e.zxid > storage.durableZxid)
            problems.push(`applied ${e.zxid} with only ${storage.durableZxid} durable`);
          applied.push(e.zxid);
        }
      },
      storageFailed: (error) => problems.push(`storage failed: ${error.message}`),
      send: () => {},
      installSnapshot: async () => {},
      afterReady: () => {},
    });
    loop.kick();
    await settle();
    // Whatever the election wrote is made durable first.
    while (storage.waiting.length > 0) {
      storage.completeOne();
      await settle();
    }
    applied.length = 0;

    const first = node.propose(txnOf({ $case: "noop", value: {} }));
    loop.kick();
    await settle();
    expect(storage.waiting.length).toBe(1);
    const second = node.propose(txnOf({ $case: "noop", value: {} }));
    loop.kick();
    await settle();
    // Both are with the storage, neither durable: neither may be committed or applied.
    expect(applied).toEqual([]);

    storage.completeOne();
    await settle();
    expect(applied).toEqual([first]);
    while (storage.waiting.length > 0) {
      storage.completeOne();
      await settle();
    }
    expect(applied).toEqual([first, second]);
    expect(problems).toEqual([]);
    loop.stop();
  });
});
