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

  it("refuses an id that is not above the last one; takes out of order", () => {
    const q = new OrderedQueue<number>();
    q.push(5, 50);
    expect(() => q.push(5, 51)).toThrow(/id 5 after 5/);
    for (const id of [7, 9, 11, 13]) q.push(id, id * 10);
    expect(q.take(4)).toBeUndefined();
    expect(q.take(6)).toBeUndefined();
    expect(q.take(9)).toBe(90);
    expect(q.take(9)).toBeUndefined();
    expect(q.take(13)).toBe(130);
    expect(q.size).toBe(3);
    expect(q.oldestId).toBe(5);
    expect(q.take(5)).toBe(50);
    expect(q.oldestId).toBe(7);
    expect(q.drain()).toEqual([
      [7, 70],
      [11, 110],
    ]);
    expect(q.oldestId).toBeUndefined();
  });
});
