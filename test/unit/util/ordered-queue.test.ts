import { describe, expect, it } from "vitest";
import { OrderedQueue } from "../../../server/util/ordered-queue.js";

describe("OrderedQueue", () => {
  it("gives back values in id order, skipping ids never added, across growth and wrap-around", () => {
    const q = new OrderedQueue<string>();
    const expected = new Map<number, string>();
    let next = 1;
    let taken = 1;
    // Windows of up to 300 live entries (past the initial 64 slots) moving over 5,000 ids.
    for (let round = 0; round < 50; round++) {
      const adds = 1 + ((round * 37) % 300);
      for (let i = 0; i < adds; i++, next++) {
        if (next % 3 === 0) continue; // an id nobody waits for
        q.push(next, `v${next}`);
        expected.set(next, `v${next}`);
      }
      const upTo = taken + ((round * 53) % (next - taken + 1));
      for (; taken < upTo; taken++) {
        expect(q.take(taken)).toBe(expected.get(taken));
        expected.delete(taken);
      }
      expect(q.size).toBe(expected.size);
    }
    expect(q.drain().map(([id]) => id)).toEqual([...expected.keys()]);
    expect(q.size).toBe(0);
    expect(q.take(next)).toBeUndefined();
  });

  it("refuses an id that is not above the last one, and a take that skips a waiting id", () => {
    const q = new OrderedQueue<number>();
    q.push(5, 50);
    expect(() => q.push(5, 51)).toThrow(/id 5 after 5/);
    q.push(7, 70);
    expect(q.take(4)).toBeUndefined();
    expect(() => q.take(6)).toThrow(/6 taken while 5 still waits/);
    expect(q.take(5)).toBe(50);
    expect(q.take(7)).toBe(70);
  });
});
