import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { startZooKeeper, type ZooKeeperHandle } from "../../support/zookeeper.js";
import type { Line } from "./normalise.js";
import { type RunnerName, recipeNames, requireRunners, runScenarios, scenarioNames } from "./runners.js";

// The same scripts through real ZooKeeper clients against Apache ZooKeeper and against Paddock's
// ZooKeeper-protocol door (`juteAddress`): every normalised transcript must be equal.
// Needs `bash scripts/install-zk-clients.sh` first.
const all: RunnerName[] = ["java", "kazoo", "node", "go", "kazoo-recipes"];
const names = scenarioNames();
let zk: ZooKeeperHandle | undefined;
let paddock: ServerHandle | undefined;
const reference = new Map<RunnerName, Map<string, Line[]>>();
const candidate = new Map<RunnerName, Map<string, Line[]>>();

beforeAll(async () => {
  requireRunners();
  // The reference runs with -Dzookeeper.extendedTypesEnabled=true (TTL nodes): so does Paddock.
  [zk, paddock] = await Promise.all([
    startZooKeeper(),
    startServer({ settings: { extendedTypesEnabled: true } }),
  ]);
  const targets: [Map<RunnerName, Map<string, Line[]>>, string][] = [
    [reference, zk.address],
    [candidate, paddock.juteAddress],
  ];
  await Promise.all(
    targets.flatMap(([into, address]) =>
      all.map(async (r) => {
        into.set(r, await runScenarios(r, address, r === "kazoo-recipes" ? recipeNames : names));
      }),
    ),
  );
});

afterAll(async () => {
  await Promise.all([zk?.stop(), paddock?.stop()]);
});

describe.each(all)("%s runner: Paddock answers as ZooKeeper does", (runner) => {
  it.each(runner === "kazoo-recipes" ? recipeNames : names)("%s", (scenario) => {
    const expected = reference.get(runner)?.get(scenario);
    expect(expected, "reference transcript").toBeDefined();
    expect(candidate.get(runner)?.get(scenario)).toEqual(expected);
  });
});
