import { describe, expect, it, vi } from "vitest";
import { faultyRun, Sim } from "../../sim/sim.js";

// The planted bug: a leader counts itself a voter whatever its configuration says, so a reconfig
// that removes it never makes it hand over.
vi.mock("../../../server/consensus/zab-state.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../server/consensus/zab-state.js")>();
  class Planted extends real.ZabState {
    override get isVoter(): boolean {
      return this.role === "leading" || super.isVoter;
    }
  }
  return { ...real, ZabState: Planted };
});

describe("the simulator's configuration checkers catch a removed leader that stays", () => {
  it("finds a member that leads after a committed reconfig removed it", () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 100 && failures.length === 0; seed++) {
      try {
        new Sim({ seed, voters: 3, observers: 1, spares: 2, ...faultyRun }).run();
      } catch (error) {
        failures.push(String(error));
      }
    }
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /seed \d+ tick \d+: member \d+, (removed by committed config|not in its config) 0x[0-9a-f]+, leads/,
    );
  });
});
