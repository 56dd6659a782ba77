import { performance } from "node:perf_hooks";
import { checkRegister, type RegisterInput, type RegisterOp, registerModel } from "../sim/linearizability.js";
import { checkSequence, type SequenceOp } from "../sim/sequence-check.js";

const OPEN = Number.POSITIVE_INFINITY;
const unknownWritesMax = 40;

/**
 * Every operation the traffic ran against the real ensemble, as the clients saw it: the time it was
 * invoked and answered (one monotonic clock in the test process) and what it returned. An
 * operation whose outcome is unknown (a timeout, a lost connection, a server error) keeps
 * `complete = Infinity`: the checker lets it take effect at any point after its invoke, or never.
 */
export class History {
  private nextId = 1;
  readonly registers = new Map<string, RegisterOp[]>();
  readonly sequence: SequenceOp[] = [];

  static now(): number {
    return performance.now();
  }

  /** Records an invoke; the returned callbacks record the answer or an unknown outcome. */
  invoke(key: string, input: RegisterInput): { ok(output: RegisterOp["output"]): void; drop(): void } {
    const op: RegisterOp = {
      id: this.nextId++,
      input,
      output: undefined,
      invoke: History.now(),
      complete: OPEN,
    };
    let list = this.registers.get(key);
    if (list === undefined) this.registers.set(key, (list = []));
    list.push(op);
    return {
      ok(output) {
        op.complete = History.now();
        op.output = output;
      },
      /** An answer that did not apply and observed nothing trustworthy: out of the history. */
      drop() {
        list.splice(list.indexOf(op), 1);
      },
    };
  }

  invokeSequential(tag: string): SequenceOp {
    const op: SequenceOp = { tag, invoke: History.now(), complete: OPEN, name: undefined };
    this.sequence.push(op);
    return op;
  }

  get size(): number {
    let n = this.sequence.length;
    for (const ops of this.registers.values()) n += ops.length;
    return n;
  }

  get unknowns(): number {
    let n = this.sequence.filter((o) => o.complete === OPEN).length;
    for (const ops of this.registers.values()) n += ops.filter((o) => o.complete === OPEN).length;
    return n;
  }

  /** Each register's history alone (linearizability is local), then the sequential creates. */
  check(finalChildren: ReadonlyMap<string, string>): string[] {
    const problems: string[] = [];
    for (const [key, ops] of this.registers) {
      // Each unknown write doubles the search: past this the traffic, not the server, is at fault.
      const open = ops.filter((o) => o.input.kind !== "read" && o.complete === OPEN).length;
      if (open > unknownWritesMax) {
        problems.push(`register ${key}: ${open} writes of unknown outcome, more than the checker takes`);
        continue;
      }
      const verdict = checkRegister(ops);
      if (verdict !== undefined) problems.push(`register ${key}: ${verdict}`);
    }
    const seq = checkSequence(this.sequence, finalChildren);
    if (seq !== undefined) problems.push(`sequential creates: ${seq}`);
    return problems;
  }

  /** A compact history for a failure message: per register, ops sorted by invoke, times in ms. */
  compact(): string {
    const lines: string[] = [];
    for (const [key, ops] of this.registers) {
      const shown = ops
        .slice()
        .sort((a, b) => a.invoke - b.invoke)
        .map((o) => {
          const end = o.complete === OPEN ? "?" : o.complete.toFixed(0);
          return `${registerModel.show(o)} [${o.invoke.toFixed(0)},${end}]`;
        });
      lines.push(`${key}: ${shown.join("; ")}`);
    }
    const seq = this.sequence.map((o) => `${o.tag}→${o.name ?? "?"}`);
    lines.push(`sequential: ${seq.join(" ")}`);
    return lines.join("\n");
  }
}
