// fuzzLoop: the coverage-guided mutation loop (the engine's core).
import { Prng } from "../../../server/util/prng.js";
import type { BlockCoverage } from "./block-coverage.js";
import { execute, type Finding, type FuzzTarget } from "./fuzz-target.js";
import { Mutator } from "./mutator.js";

/** Mutated inputs run between two coverage reads. */
const BATCH = 64;

export interface FuzzLoopOptions {
  readonly seed: number;
  /** Saved corpus entries, run after the target's seeds (the replay) and mutated like them. */
  readonly corpus: readonly Buffer[];
  /** Mutated executions to run: the short run's fixed budget. */
  readonly executions: number;
  /** Stop at this performance.now() even before `executions` (long runs only: not deterministic). */
  readonly deadlineMs?: number;
  /** An execution slower than this is a finding. */
  readonly slowMs?: number;
  /** Called for every mutated input that reached a block no earlier input reached. */
  readonly onNewInput?: (input: Buffer, newFeatures: readonly number[]) => void;
  readonly onFinding?: (finding: Finding) => void;
}

export interface FuzzLoopReport {
  readonly executions: number;
  /** Distinct findings (one per error name and throwing frame). */
  readonly findings: Finding[];
  /** Mutated inputs that grew coverage, in the order found. */
  readonly added: Buffer[];
  /** Features (block ranges of server/ code) reached. */
  readonly features: number;
  readonly ms: number;
}

/**
 * Runs the seeds and the corpus (every one must pass), then mutates: pick an entry, mutate it
 * (splicing with another), run it, read which blocks it reached; an input that reached a block
 * never reached before joins the queue. Everything is drawn from one seeded generator, so a run
 * with a fixed execution count is deterministic.
 */
export function fuzzLoop(
  target: FuzzTarget,
  coverage: BlockCoverage,
  options: FuzzLoopOptions,
): FuzzLoopReport {
  const started = performance.now();
  const slowMs = options.slowMs ?? 5000;
  const seen = new Set<number>();
  const findings = new Map<string, Finding>();
  const queue: Buffer[] = [];
  const added: Buffer[] = [];
  const rng = new Prng(options.seed);
  const mutator = new Mutator(options.seed ^ 0x5eed, target.dictionary, target.inputBytesMax ?? 4096);
  const record = (f: Finding | undefined): void => {
    if (f === undefined) return;
    const key = findingKey(f);
    if (findings.has(key)) return;
    findings.set(key, f);
    options.onFinding?.(f);
  };
  coverage.take();
  for (const input of [...target.seeds(), ...options.corpus]) {
    record(execute(target, input, slowMs));
    for (const f of coverage.take()) seen.add(f);
    queue.push(input);
  }
  let executions = 0;
  while (executions < options.executions) {
    if (options.deadlineMs !== undefined && performance.now() >= options.deadlineMs) break;
    // A batch shares one coverage read (the read costs more than most executions); only a batch
    // that reached something new is run again input by input to find which ones did.
    const batch: Buffer[] = [];
    while (batch.length < BATCH && executions < options.executions) {
      const parent = queue[rng.below(queue.length)] ?? Buffer.alloc(0);
      const other = queue[rng.below(queue.length)] ?? Buffer.alloc(0);
      const child = mutator.mutate(parent, other);
      record(execute(target, child, slowMs));
      executions++;
      batch.push(child);
    }
    // Group testing: a batch (then each half of it, down to one input) that reached nothing new
    // costs one coverage read; halves are split until the inputs that did are found.
    const attribute = (inputs: Buffer[], reached: number[]): void => {
      if (reached.every((f) => seen.has(f))) return;
      if (inputs.length === 1) {
        const fresh = [...new Set(reached.filter((f) => !seen.has(f)))];
        for (const f of fresh) seen.add(f);
        queue.push(inputs[0]!);
        added.push(inputs[0]!);
        options.onNewInput?.(inputs[0]!, fresh);
        return;
      }
      const half = inputs.length >> 1;
      for (const part of [inputs.slice(0, half), inputs.slice(half)]) {
        for (const input of part) execute(target, input, slowMs);
        attribute(part, coverage.take());
      }
    };
    attribute(batch, coverage.take());
  }
  return {
    executions,
    findings: [...findings.values()],
    added,
    features: seen.size,
    ms: performance.now() - started,
  };
}

/** One finding per kind, error name and throwing frame (the first inside server/, else the first). */
export function findingKey(f: Finding): string {
  const frames = f.stack.split("\n").filter((l) => l.trimStart().startsWith("at "));
  const frame = frames.find((l) => l.includes("/server/")) ?? frames[0] ?? f.summary;
  return `${f.kind} ${f.summary.split(":")[0]} ${frame.trim()}`;
}
