/**
 * A linearizability checker (Wing & Gong's search with memoization, as Knossos and Porcupine do)
 * over any sequential model. Run it per object: linearizability is local, so each register's
 * history is checked alone and stays small.
 */
export interface HistoryOp<I, O> {
  readonly id: number;
  readonly input: I;
  /** What the operation returned; undefined while (or because) its outcome is unknown. */
  output: O | undefined;
  readonly invoke: number;
  /** Infinity when the outcome is unknown (the client lost its server): it may or may not apply. */
  complete: number;
}

export interface Model<S, I, O> {
  readonly init: S;
  /** The state after `input`, or undefined if it could not have returned `output` (undefined: any). */
  step(state: S, input: I, output: O | undefined): S | undefined;
  /** True for operations that change nothing (an unanswered one constrains nothing). */
  readOnly(input: I): boolean;
  key(state: S): string;
  show(op: HistoryOp<I, O>): string;
}

const OPEN = Number.POSITIVE_INFINITY;

/** Undefined when linearizable, else a description of the history and how far the search got. */
export function checkLinearizable<S, I, O>(
  ops: readonly HistoryOp<I, O>[],
  model: Model<S, I, O>,
): string | undefined {
  const history = ops.filter((o) => !model.readOnly(o.input) || o.complete !== OPEN);
  const mustApply = history.filter((o) => o.complete !== OPEN).length;
  const done = new Uint8Array(history.length);
  const seen = new Set<string>();
  let deepest = 0;
  const search = (state: S, applied: number, appliedKnown: number): boolean => {
    if (appliedKnown === mustApply) return true;
    const key = `${done.join("")}|${model.key(state)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    deepest = Math.max(deepest, applied);
    // The next op may be any pending one invoked before every pending op's completion.
    let horizon = OPEN;
    for (let i = 0; i < history.length; i++) if (!done[i]) horizon = Math.min(horizon, history[i]!.complete);
    for (let i = 0; i < history.length; i++) {
      const op = history[i]!;
      if (done[i] || op.invoke > horizon) continue;
      const next = model.step(state, op.input, op.complete === OPEN ? undefined : op.output);
      if (next === undefined) continue;
      done[i] = 1;
      if (search(next, applied + 1, appliedKnown + (op.complete !== OPEN ? 1 : 0))) return true;
      done[i] = 0;
    }
    return false;
  };
  if (search(model.init, 0, 0)) return undefined;
  const shown = history
    .slice()
    .sort((a, b) => a.invoke - b.invoke)
    .map((o) => `${model.show(o)} [${o.invoke},${o.complete === OPEN ? "?" : o.complete}]`);
  return `not linearizable (stuck after ${deepest} of ${history.length} ops): ${shown.join("; ")}`;
}

/** A znode's data and version, as setData, a versioned multi and getData see them. */
export interface Register {
  readonly value: string;
  readonly version: number;
}

export type RegisterInput =
  | { readonly kind: "write"; readonly value: string }
  | { readonly kind: "read" }
  /** A multi of check(version) and setData: applies only at that version. */
  | { readonly kind: "cas"; readonly expect: number; readonly value: string };

/** write and a successful cas return the new version; read returns the register; a failed cas, null. */
export type RegisterOutput = Register | number | null;

export type RegisterOp = HistoryOp<RegisterInput, RegisterOutput>;

export const registerModel: Model<Register, RegisterInput, RegisterOutput> = {
  init: { value: "", version: 0 },
  step(state, input, output) {
    switch (input.kind) {
      case "read": {
        const r = output as Register | undefined;
        return r === undefined || (r.value === state.value && r.version === state.version)
          ? state
          : undefined;
      }
      case "write": {
        const next = { value: input.value, version: state.version + 1 };
        return output === undefined || output === next.version ? next : undefined;
      }
      case "cas": {
        const applies = state.version === input.expect;
        if (output === undefined) return applies ? { value: input.value, version: state.version + 1 } : state;
        if (output === null) return applies ? undefined : state;
        return applies && output === state.version + 1
          ? { value: input.value, version: output as number }
          : undefined;
      }
    }
  },
  readOnly: (input) => input.kind === "read",
  key: (s) => `${s.version}:${s.value}`,
  show(op) {
    const out = op.output;
    const shown =
      out === undefined
        ? "?"
        : out === null
          ? "fail"
          : typeof out === "number"
            ? `v${out}`
            : `${out.value || "-"}@v${out.version}`;
    const i = op.input;
    const what =
      i.kind === "read" ? "read" : i.kind === "write" ? `write ${i.value}` : `cas@v${i.expect} ${i.value}`;
    return `${what} → ${shown}`;
  },
};

/** Undefined when this one register's history is linearizable. */
export function checkRegister(ops: readonly RegisterOp[]): string | undefined {
  return checkLinearizable(ops, registerModel);
}
