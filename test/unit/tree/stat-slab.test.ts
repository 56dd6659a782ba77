import { describe, expect, it } from "vitest";
import { S, STRIDE, StatSlab, TIMES } from "../../../server/tree/znode.js";
import { AssertionError } from "../../../server/util/assert.js";

// The stat slab across its growth steps: the first chunk doubles from 1,024 slots to a whole chunk
// of 4,096, later chunks are added whole; every slot keeps its numbers (found by mutation testing,
// docs/TESTING.md), and size counts every slot handed out (a snapshot cursor sizes its marks by it).

/** A distinct value per slot and column: doubles above 2^32 for zxids and times, int32 versions. */
const value = (slot: number, column: number): number =>
  column < TIMES ? 2 ** 33 + slot * STRIDE + column : -(slot * STRIDE + column);

function filled(count: number): StatSlab {
  const slab = new StatSlab();
  for (let slot = 0; slot < count; slot++) {
    expect(slab.allocate()).toBe(slot);
    for (let c = 0; c < STRIDE; c++) slab.set(slot, c, value(slot, c));
  }
  return slab;
}

function expectAll(slab: StatSlab, count: number): void {
  const wrong: string[] = [];
  for (let slot = 0; slot < count; slot++) {
    for (let c = 0; c < STRIDE; c++) {
      if (slab.get(slot, c) !== value(slot, c)) wrong.push(`slot ${slot} column ${c}: ${slab.get(slot, c)}`);
    }
  }
  expect(wrong.slice(0, 5)).toEqual([]);
}

describe("StatSlab", () => {
  it("keeps every slot's numbers through the first chunk's doublings and a second chunk", () => {
    for (const count of [1, 1_024, 1_025, 2_049, 4_096, 4_097, 9_000]) {
      const slab = filled(count);
      expectAll(slab, count);
      expect(slab.size).toBe(count);
    }
  });

  it("reuses a released slot, zeroed, and leaves its neighbours alone", () => {
    const slab = filled(5_000);
    for (const slot of [4_500, 7]) slab.release(slot);
    expect(slab.allocate()).toBe(7);
    expect(slab.allocate()).toBe(4_500);
    expect(slab.allocate()).toBe(5_000);
    expect(slab.size).toBe(5_001);
    for (const slot of [7, 4_500]) {
      expect(Array.from({ length: STRIDE }, (_, c) => slab.get(slot, c))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      for (const neighbour of [slot - 1, slot + 1]) {
        expect(Array.from({ length: STRIDE }, (_, c) => slab.get(neighbour, c))).toEqual(
          Array.from({ length: STRIDE }, (_, c) => value(neighbour, c)),
        );
      }
    }
  });

  it("refuses a slot never allocated, and a version that is not an int32", () => {
    const slab = filled(3);
    expect(() => slab.release(3)).toThrow(new AssertionError("stat slot 3 out of range"));
    expect(() => slab.release(9)).toThrow(new AssertionError("stat slot 9 out of range"));
    expect(() => slab.set(0, S.version, 2 ** 31)).toThrow(
      new AssertionError("stat column 5 takes an int32, not 2147483648"),
    );
    expect(() => slab.set(0, S.aversion, 1.5)).toThrow(
      new AssertionError("stat column 7 takes an int32, not 1.5"),
    );
    slab.set(0, S.cversion, -(2 ** 31));
    expect(slab.get(0, S.cversion)).toBe(-(2 ** 31));
  });
});
