/**
 * A linearizability checker for registers (Wing & Gong's search with memoization, as Knossos and
 * Porcupine do), run per key: registers compose (P-compositionality), so each key's history is
 * checked alone and stays small.
 */
export interface RegisterOp {
  readonly id: number;
  readonly kind: "write" | "read";
  /** Written value, or the value a read returned (undefined: the key was never written). */
  value: string | undefined;
  readonly invoke: number;
  /** Infinity when the outcome is unknown (the client lost its server): it may or may not apply. */
  complete: number;
}

/** Undefined when linearizable, else a description of the smallest stuck point found. */
export function checkRegister(ops: readonly RegisterOp[]): string | undefined {
  // An unanswered read constrains nothing.
  const history = ops.filter((o) => o.kind === "write" || o.complete !== Number.POSITIVE_INFINITY);
  const mustApply = history.filter((o) => o.complete !== Number.POSITIVE_INFINITY).length;
  const done = new Uint8Array(history.length);
  const seen = new Set<string>();
  let deepest = 0;
  const search = (state: string | undefined, applied: number, appliedKnown: number): boolean => {
    if (appliedKnown === mustApply) return true;
    const key = `${done.join("")}|${state}`;
    if (seen.has(key)) return false;
    seen.add(key);
    deepest = Math.max(deepest, applied);
    // The next op may be any pending one invoked before every pending op's completion.
    let horizon = Number.POSITIVE_INFINITY;
    for (let i = 0; i < history.length; i++) if (!done[i]) horizon = Math.min(horizon, history[i]!.complete);
    for (let i = 0; i < history.length; i++) {
      const op = history[i]!;
      if (done[i] || op.invoke > horizon) continue;
      if (op.kind === "read" && op.value !== state) continue;
      done[i] = 1;
      const known = op.complete !== Number.POSITIVE_INFINITY ? 1 : 0;
      if (search(op.kind === "write" ? op.value : state, applied + 1, appliedKnown + known)) return true;
      done[i] = 0;
    }
    return false;
  };
  if (search(undefined, 0, 0)) return undefined;
  const shown = history
    .slice()
    .sort((a, b) => a.invoke - b.invoke)
    .map(
      (o) =>
        `${o.kind} ${o.value ?? "-"} [${o.invoke},${o.complete === Number.POSITIVE_INFINITY ? "?" : o.complete}]`,
    );
  return `not linearizable (stuck after ${deepest} of ${history.length} ops): ${shown.join("; ")}`;
}
