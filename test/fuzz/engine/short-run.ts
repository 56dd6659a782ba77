// shortRun: the fuzz run of `npm test`: the target's seeds and whole saved corpus, then a fixed
// number of seeded mutations. Deterministic: the same code, corpus and seed give the same run.
import { BlockCoverage } from "./block-coverage.js";
import { loadCorpus } from "./corpus-store.js";
import { type FuzzLoopReport, fuzzLoop } from "./fuzz-loop.js";
import type { FuzzTarget } from "./fuzz-target.js";

export const SHORT_RUN_SEED = 20261207;

let coverage: BlockCoverage | undefined;

/** One coverage session per process: V8 has one precise-coverage mode per isolate. */
function sharedCoverage(): BlockCoverage {
  if (coverage === undefined) {
    coverage = new BlockCoverage();
    coverage.start();
  }
  return coverage;
}

export function shortRun(target: FuzzTarget, executions: number, seed = SHORT_RUN_SEED): FuzzLoopReport {
  // No slow-execution findings here: timing on a loaded machine would make the result vary.
  return fuzzLoop(target, sharedCoverage(), {
    seed,
    corpus: loadCorpus(target.name),
    executions,
    slowMs: Number.POSITIVE_INFINITY,
  });
}

/** What a failing short run prints: each finding and how to replay it. */
export function describeFindings(report: FuzzLoopReport): string[] {
  return report.findings.map(
    (f) => `${f.target} ${f.kind}: ${f.summary}\n  input (hex): ${f.input.toString("hex")}\n${f.stack}`,
  );
}
