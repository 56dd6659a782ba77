import { defineConfig } from "vitest/config";

// The unit tests alone, for StrykerJS (scripts/mutation.sh): each mutant runs the unit tests that
// cover it; the process-starting tiers are too slow to run per mutant.
export default defineConfig({
  test: { include: ["test/unit/**/*.test.ts"], testTimeout: 120_000 },
});
