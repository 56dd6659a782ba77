import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runProcess } from "../../support/run-process.js";
import { type Line, transcripts } from "./normalise.js";

/** How to start each client's runner: `<command> CONNECT ROOT SCENARIOS.json NAME...`. */
const here = join(repoRoot, "test/clients/zk");
export const scenarioFile = join(here, "scenarios.json");
export const recipeFile = join(here, "python/recipes.py");
const python = join(repoRoot, ".cache/kazoo-venv/bin/python");
const goRunner = join(repoRoot, ".cache/zk-go-runner");
const javaJars = [
  "zookeeper",
  "zookeeper-jute",
  "slf4j-api",
  "slf4j-nop",
  "jackson-databind",
  "jackson-core",
  "jackson-annotations",
];

export type RunnerName = "java" | "kazoo" | "node" | "go" | "kazoo-recipes";

export const runners: Record<RunnerName, { command: string; args: string[]; needs: string }> = {
  java: {
    command: "java",
    args: ["-cp", javaJars.map((j) => `/usr/share/java/${j}.jar`).join(":"), join(here, "java/Runner.java")],
    needs: "/usr/share/java/zookeeper.jar",
  },
  kazoo: { command: python, args: [join(here, "python/runner.py")], needs: python },
  node: {
    command: process.execPath,
    args: ["--import", "tsx", join(here, "node/runner.ts")],
    needs: process.execPath,
  },
  go: { command: goRunner, args: [], needs: goRunner },
  "kazoo-recipes": { command: python, args: [recipeFile], needs: python },
};

/** Scenario names in scenarios.json (the recipe runner has its own list). */
export function scenarioNames(): string[] {
  return Object.keys(JSON.parse(readFileSync(scenarioFile, "utf8"))).filter((k) => !k.startsWith("_"));
}

export const recipeNames = [
  "lock",
  "election",
  "counter",
  "barrier",
  "double-barrier",
  "queue",
  "locking-queue",
  "party",
  "semaphore",
  "tree-cache",
];

export function requireRunners(): void {
  const missing = Object.entries(runners).filter(([, r]) => !existsSync(r.needs));
  if (missing.length > 0)
    throw new Error(
      `missing ${missing.map(([n, r]) => `${n} (${r.needs})`).join(", ")}: run bash scripts/install-zk-clients.sh`,
    );
}

let roots = 0;

/** Runs one runner over `names` against `connect`; returns scenario → normalised transcript. */
export async function runScenarios(
  runner: RunnerName,
  connect: string,
  names: readonly string[],
): Promise<Map<string, Line[]>> {
  const r = runners[runner];
  // A fresh root per run keeps runs on one server apart; transcripts print paths below it.
  const root = `/zkdiff-${runner}-${process.pid}-${++roots}`;
  const file = runner === "kazoo-recipes" ? "-" : scenarioFile;
  const result = await runProcess(r.command, [...r.args, connect, root, file, ...names], {
    timeoutMs: 100_000,
  });
  if (result.code !== 0)
    throw new Error(
      `${runner} runner exited ${result.code}\n${result.stdout}\n${result.stderr.slice(-4000)}`,
    );
  return transcripts(result.stdout);
}
