// StrykerJS, behind a flag: scripts/mutation.sh runs it per module (not part of npm test).
const module = process.env.MUTATION_MODULE ?? "all";

export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  plugins: ["@stryker-mutator/vitest-runner"],
  coverageAnalysis: "perTest",
  reporters: ["clear-text", "json", "progress"],
  jsonReporter: { fileName: `reports/mutation/${module}.json` },
  tempDirName: ".stryker-tmp",
  // One runner: the machine has two cores and the tests are single-threaded anyway.
  concurrency: 1,
  timeoutMS: 10_000,
  ignorePatterns: [
    ".cache",
    "bench/out",
    "clients/go",
    "clients/java",
    "clients/python",
    "reports",
    "test/fuzz/corpus",
  ],
  thresholds: { high: 80, low: 60, break: null },
};
