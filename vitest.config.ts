import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      // The seeded simulations run many seeds in one test: a loaded machine must not fail them.
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 120_000 } },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Each file starts an ensemble of real processes: one file at a time on two cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          // Faults between real processes with a history checker (docs/TESTING.md): FAULTS_SEED
          // replays, FAULTS_ROUNDS=100 soaks. One file at a time: each runs ensembles.
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "clients",
          include: ["test/clients/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
