import { describe, expect, it } from "vitest";
import { checkRegister, type RegisterOp, type RegisterOutput } from "../../sim/linearizability.js";

let next = 0;
const unknown = Number.POSITIVE_INFINITY;
const op = (
  input: RegisterOp["input"],
  output: RegisterOutput | undefined,
  invoke: number,
  complete: number,
) => ({ id: next++, input, output, invoke, complete }) as RegisterOp;
/** A write whose returned version is not checked (undefined) unless given. */
const w = (value: string, invoke: number, complete: number, version?: number) =>
  op({ kind: "write", value }, version, invoke, complete);
const r = (value: string, version: number, invoke: number, complete: number) =>
  op({ kind: "read" }, { value, version }, invoke, complete);
const cas = (
  expect: number,
  value: string,
  result: number | null | undefined,
  invoke: number,
  complete: number,
) => op({ kind: "cas", expect, value }, result, invoke, complete);

describe("register linearizability checker", () => {
  it("accepts overlapping operations in any order that fits", () => {
    expect(checkRegister([w("a", 0, 10), w("b", 1, 5), r("a", 2, 6, 7)])).toBeUndefined();
    expect(checkRegister([r("", 0, 0, 1), w("a", 2, 3), r("a", 1, 4, 5)])).toBeUndefined();
  });

  it("rejects a stale read after a completed write", () => {
    expect(checkRegister([w("a", 0, 1), w("b", 2, 3), r("a", 1, 4, 5)])).toMatch(/not linearizable/);
  });

  it("rejects a read of a value nobody wrote, an acknowledged write that was lost, a wrong version", () => {
    expect(checkRegister([r("x", 1, 0, 1)])).toMatch(/not linearizable/);
    expect(checkRegister([w("a", 0, 1), r("", 0, 2, 3)])).toMatch(/not linearizable/);
    expect(checkRegister([w("a", 0, 1, 2)])).toMatch(/not linearizable/);
    expect(checkRegister([w("a", 0, 1, 1), w("b", 2, 3, 2)])).toBeUndefined();
  });

  it("lets a write of unknown outcome take effect or not", () => {
    expect(checkRegister([w("a", 0, 1), w("b", 2, unknown), r("a", 1, 3, 4)])).toBeUndefined();
    expect(
      checkRegister([w("a", 0, 1), w("b", 2, unknown), r("b", 2, 3, 4), r("b", 2, 5, 6)]),
    ).toBeUndefined();
    // Once seen, it has happened: a later read cannot go back.
    expect(checkRegister([w("a", 0, 1), w("b", 2, unknown), r("b", 2, 3, 4), r("a", 1, 5, 6)])).toMatch(
      /not linearizable/,
    );
  });

  it("checks a versioned multi (check + setData) against the version it saw", () => {
    expect(checkRegister([w("a", 0, 1), cas(1, "b", 2, 2, 3), r("b", 2, 4, 5)])).toBeUndefined();
    expect(checkRegister([w("a", 0, 1), cas(0, "b", null, 2, 3), r("a", 1, 4, 5)])).toBeUndefined();
    // It reported failure at the version it named, or success at another one.
    expect(checkRegister([w("a", 0, 1), cas(1, "b", null, 2, 3)])).toMatch(/not linearizable/);
    expect(checkRegister([w("a", 0, 1), cas(0, "b", 2, 2, 3)])).toMatch(/not linearizable/);
    // An unanswered one applies only if the version still matched.
    expect(checkRegister([cas(0, "b", undefined, 0, unknown), w("a", 1, 2), r("b", 2, 3, 4)])).toMatch(
      /not linearizable/,
    );
    expect(
      checkRegister([cas(0, "b", undefined, 0, unknown), w("a", 1, 2), r("a", 2, 3, 4)]),
    ).toBeUndefined();
  });
});
