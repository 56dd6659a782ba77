import { describe, expect, it } from "vitest";
import { TimeHeap } from "../../../server/sessions/time-heap.js";
import { Prng } from "../../../server/util/prng.js";

describe("TimeHeap", () => {
  it("pops in ascending order under mixed pushes and pops (seeded)", () => {
    const rng = new Prng(42);
    const heap = new TimeHeap();
    const model: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (rng.below(3) < 2) {
        const v = rng.below(1000);
        heap.push(v);
        model.push(v);
        model.sort((a, b) => a - b);
      } else {
        expect(heap.pop()).toBe(model.shift());
      }
      expect(heap.peek()).toBe(model[0]);
      expect(heap.size).toBe(model.length);
    }
    while (model.length > 0) expect(heap.pop()).toBe(model.shift());
    expect(heap.pop()).toBeUndefined();
  });
});
