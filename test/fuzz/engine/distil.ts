// distil: the smallest set of inputs that together reach every block the given inputs reach.
import type { BlockCoverage } from "./block-coverage.js";
import { execute, type FuzzTarget } from "./fuzz-target.js";

/**
 * Greedy set cover: runs every input, then keeps, shortest first, each input that reaches a block
 * no kept input reaches, and of those at most `max`, preferring the ones that add most. Inputs
 * that fail are dropped (they belong in crashes/, not the corpus).
 */
export function distil(
  target: FuzzTarget,
  coverage: BlockCoverage,
  inputs: readonly Buffer[],
  max: number,
): Buffer[] {
  const runs: { input: Buffer; features: Set<number> }[] = [];
  const seeds = new Set(target.seeds().map((s) => s.toString("hex")));
  const covered = new Set<number>();
  coverage.take();
  for (const input of target.seeds()) execute(target, input, Number.POSITIVE_INFINITY);
  for (const f of coverage.take()) covered.add(f);
  for (const input of inputs) {
    if (seeds.has(input.toString("hex"))) continue;
    const failed = execute(target, input, Number.POSITIVE_INFINITY) !== undefined;
    const features = new Set(coverage.take());
    if (!failed) runs.push({ input, features });
  }
  const kept: { input: Buffer; adds: number }[] = [];
  for (const run of runs.sort((a, b) => a.input.length - b.input.length || a.input.compare(b.input))) {
    let adds = 0;
    for (const f of run.features) if (!covered.has(f)) adds++;
    if (adds === 0) continue;
    for (const f of run.features) covered.add(f);
    kept.push({ input: run.input, adds });
  }
  return kept
    .sort((a, b) => b.adds - a.adds)
    .slice(0, max)
    .map((k) => k.input);
}
