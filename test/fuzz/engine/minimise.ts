// minimise: shrinks an input while it still reaches the blocks (or the finding) it was kept for.
import type { BlockCoverage } from "./block-coverage.js";
import { findingKey } from "./fuzz-loop.js";
import { execute, type FuzzTarget } from "./fuzz-target.js";

/**
 * Removes ever smaller chunks (half the input, then quarters, ... single bytes) as long as the
 * shorter input still reaches every feature in `features`, or, for a finding, still fails the
 * same way. At most `executionsMax` executions; the result is never longer than the input.
 */
export function minimise(
  target: FuzzTarget,
  coverage: BlockCoverage,
  input: Buffer,
  keep: { features: readonly number[] } | { findingKey: string },
  executionsMax = 400,
): Buffer {
  let best = input;
  let executions = 0;
  const holds = (candidate: Buffer): boolean => {
    executions++;
    coverage.take();
    const finding = execute(target, candidate, 60_000);
    const reached = new Set(coverage.take());
    if ("findingKey" in keep) return finding !== undefined && findingKey(finding) === keep.findingKey;
    return finding === undefined && keep.features.every((f) => reached.has(f));
  };
  for (let chunk = best.length >> 1; chunk >= 1; chunk >>= 1) {
    for (let at = 0; at + chunk <= best.length && executions < executionsMax; ) {
      const candidate = Buffer.concat([best.subarray(0, at), best.subarray(at + chunk)]);
      if (holds(candidate)) best = candidate;
      else at += chunk;
    }
  }
  return best;
}
