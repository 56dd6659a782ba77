import { defineConfig } from "vitest/config";

// Unit tests only, for StrykerJS (scripts/mutation.sh): each mutant runs the tests that cover it,
// and the process-starting tiers are too slow for that. MUTATION_TESTS narrows the files (a
// comma-separated list of globs) so a module is judged by its own fast tests.
const include = (process.env.MUTATION_TESTS ?? "test/unit/**/*.test.ts").split(",");

export default defineConfig({
  test: { include, testTimeout: 120_000 },
});
