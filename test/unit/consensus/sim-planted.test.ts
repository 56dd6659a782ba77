import { describe, expect, it } from "vitest";
import { Sim, type SimOptions } from "../../sim/sim.js";

/** How many of `seeds` seeded runs a checker fails with a bug planted in the driver. */
function failingSeeds(plant: SimOptions["plant"], seeds: number): string[] {
  const failures: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    try {
      new Sim({
        seed,
        voters: 3,
        observers: 1,
        ticks: 400,
        dropPerMille: 5,
        delayTicksMax: 3,
        faults: true,
        plant,
      }).run();
    } catch (error) {
      failures.push(String(error));
    }
  }
  return failures;
}

describe("the simulator's checkers catch planted driver bugs", () => {
  it("a driver that ignores TRUNC on its disk", () => {
    const failures = failingSeeds("skip-trunc", 200);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join("\n")).toMatch(/persists \d+ after \d+|diverge|loses applied/);
  });

  it("a driver that applies a Ready's committed entries out of order", () => {
    const failures = failingSeeds("apply-reversed", 100);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/^Error: seed \d+ tick \d+: committed histories diverge/);
  });
});
