// The long fuzz run: node --import tsx test/fuzz/run.ts --target <name|all> --minutes N [--seed S]
import { parseArgs } from "node:util";
import { BlockCoverage } from "./engine/block-coverage.js";
import { CORPUS_ENTRIES_MAX, loadCorpus, replaceCorpus, saveFinding } from "./engine/corpus-store.js";
import { distil } from "./engine/distil.js";
import { findingKey, fuzzLoop } from "./engine/fuzz-loop.js";
import { minimise } from "./engine/minimise.js";
import { fuzzTarget, fuzzTargets } from "./target-list.js";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "all" },
    minutes: { type: "string", default: "1" },
    seed: { type: "string" },
    "slow-ms": { type: "string", default: "2000" },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error(`--minutes ${values.minutes} must be a positive number`);
const seed = values.seed === undefined ? Date.now() >>> 0 : Number(values.seed) >>> 0;
const targets = values.target === "all" ? fuzzTargets : [fuzzTarget(values.target!)];
const slowMs = Number(values["slow-ms"]);

const coverage = new BlockCoverage();
coverage.start();
let crashes = 0;
const msEach = (minutes * 60_000) / targets.length;
for (const target of targets) {
  const corpus = loadCorpus(target.name);
  const found: Buffer[] = [];
  const report = fuzzLoop(target, coverage, {
    seed,
    corpus,
    executions: Number.MAX_SAFE_INTEGER,
    deadlineMs: performance.now() + msEach,
    slowMs,
    onNewInput: (input) => {
      found.push(input);
    },
    onFinding: (finding) => {
      const small =
        finding.kind === "crash"
          ? minimise(target, coverage, finding.input, { findingKey: findingKey(finding) })
          : finding.input;
      const file = saveFinding({ ...finding, input: small });
      crashes++;
      console.log(`FINDING ${target.name}: ${finding.summary}\n  saved ${file}`);
    },
  });
  // The corpus is committed and replayed by every npm test: keep only inputs that add coverage.
  // Minimising costs about a hundred runs per input: only the distilled ones, each keeping every
  // block it reached.
  const kept = distil(target, coverage, [...corpus, ...found], CORPUS_ENTRIES_MAX).map((input) => {
    coverage.take();
    target.fuzz(input);
    return minimise(target, coverage, input, { features: coverage.take() }, 100);
  });
  replaceCorpus(target.name, kept);
  console.log(
    `${target.name}: seed ${seed}, ${report.executions} executions in ${(report.ms / 1000).toFixed(1)} s, ` +
      `${report.features} blocks, ${report.added.length} new inputs; corpus ${corpus.length} -> ${kept.length}, ` +
      `${report.findings.length} findings`,
  );
}
coverage.stop();
process.exitCode = crashes > 0 ? 1 : 0;
