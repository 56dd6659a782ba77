import { describe, expect, it, vi } from "vitest";
import { faultyRun, Sim } from "../../sim/sim.js";

// The planted bug: a leader commits what it alone has, without waiting for a quorum's acks.
vi.mock("../../../server/consensus/vote.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../server/consensus/vote.js")>();
  return { ...real, quorumZxid: (zxids: readonly number[]) => Math.max(...zxids) };
});

describe("the simulator's checkers catch a commit without a quorum", () => {
  it("finds a lost or diverging commit once leaders crash", () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 200 && failures.length === 0; seed++) {
      try {
        new Sim({
          seed,
          voters: 3,
          observers: 0,
          ...faultyRun,
        }).run();
      } catch (error) {
        failures.push(String(error));
      }
    }
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/seed \d+ tick \d+: .*(diverge|loses|hole|below applied)/);
  });
});
