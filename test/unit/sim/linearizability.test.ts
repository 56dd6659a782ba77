import { describe, expect, it } from "vitest";
import { checkRegister, type RegisterOp } from "../../sim/linearizability.js";

let next = 0;
const w = (value: string, invoke: number, complete: number): RegisterOp => ({
  id: next++,
  kind: "write",
  value,
  invoke,
  complete,
});
const r = (value: string | undefined, invoke: number, complete: number): RegisterOp => ({
  id: next++,
  kind: "read",
  value,
  invoke,
  complete,
});
const unknown = Number.POSITIVE_INFINITY;

describe("register linearizability checker", () => {
  it("accepts overlapping operations in any order that fits", () => {
    expect(checkRegister([w("a", 0, 10), w("b", 1, 5), r("a", 6, 7)])).toBeUndefined();
    expect(checkRegister([r(undefined, 0, 1), w("a", 2, 3), r("a", 4, 5)])).toBeUndefined();
  });

  it("rejects a stale read after a completed write", () => {
    expect(checkRegister([w("a", 0, 1), w("b", 2, 3), r("a", 4, 5)])).toMatch(/not linearizable/);
  });

  it("rejects a read of a value nobody wrote, and an acknowledged write that was lost", () => {
    expect(checkRegister([r("x", 0, 1)])).toMatch(/not linearizable/);
    expect(checkRegister([w("a", 0, 1), r(undefined, 2, 3)])).toMatch(/not linearizable/);
  });

  it("lets a write of unknown outcome take effect or not", () => {
    expect(checkRegister([w("a", 0, 1), w("b", 2, unknown), r("a", 3, 4)])).toBeUndefined();
    expect(checkRegister([w("a", 0, 1), w("b", 2, unknown), r("b", 3, 4), r("b", 5, 6)])).toBeUndefined();
    // Once seen, it has happened: a later read cannot go back.
    expect(checkRegister([w("a", 0, 1), w("b", 2, unknown), r("b", 3, 4), r("a", 5, 6)])).toMatch(
      /not linearizable/,
    );
  });
});
