import { describe, expect, it } from "vitest";
import { faultyRun, Sim, type SimOptions } from "../../sim/sim.js";

/** How many of `seeds` seeded runs a checker fails with a bug planted in the driver. */
function failingSeeds(plant: SimOptions["plant"], seeds: number): string[] {
  const failures: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    try {
      new Sim({
        seed,
        voters: 3,
        observers: 1,
        ...faultyRun,
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

  it("a history that loses an entry when a learner is DIFFed from it", () => {
    const failures = failingSeeds("history-gap", 100);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/committed histories diverge|tree digest at \d+ differs/);
  });

  it("a driver that applies a Ready's committed entries out of order", () => {
    const failures = failingSeeds("apply-reversed", 100);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/^Error: seed \d+ tick \d+: committed histories diverge/);
  });
});

describe("the state checkers catch a member whose apply is not deterministic", () => {
  it("a member that stamps changes with its own clock", () => {
    const failures = failingSeeds("local-time", 20);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/tree digest at \d+ differs/);
  });
});

describe("the linearizability checker over client histories catches planted serving bugs", () => {
  it("acknowledging a write when it is proposed, not when it is applied", () => {
    const failures = failingSeeds("ack-at-propose", 200);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join("\n")).toMatch(/not linearizable/);
  });

  it("answering a linearizable read from any member's state without a barrier", () => {
    const failures = failingSeeds("read-without-barrier", 300);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join("\n")).toMatch(/not linearizable/);
  });

  it("preparing requests against the applied tree only, not the changes in flight", () => {
    const failures = failingSeeds("stale-prep", 100);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join("\n")).toMatch(/sequential create|not linearizable/);
  });

  it("serving a session whose expiry is already proposed", () => {
    const failures = failingSeeds("no-closing-mark", 200);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join("\n")).toMatch(/ephemeral .* closed/);
  });

  it("records real histories: many operations, most of them answered", () => {
    const sim = new Sim({
      seed: 1,
      voters: 3,
      observers: 0,
      ...faultyRun,
    });
    sim.run();
    const ops = sim.clients.history.map((h) => h.op);
    expect(ops.length).toBeGreaterThan(60);
    const answered = ops.filter((o) => o.complete !== Number.POSITIVE_INFINITY);
    for (const kind of ["read", "write", "cas"]) {
      expect(answered.filter((o) => o.input.kind === kind).length, kind).toBeGreaterThan(10);
    }
    // Versioned multis both succeed and fail.
    expect(answered.some((o) => o.input.kind === "cas" && o.output === null)).toBe(true);
    expect(answered.some((o) => o.input.kind === "cas" && typeof o.output === "number")).toBe(true);
    const creates = sim.clients.sequences.filter((o) => o.complete !== Number.POSITIVE_INFINITY);
    expect(creates.length).toBeGreaterThan(20);
    expect(sim.clients.ephemerals.size).toBeGreaterThan(5);
    expect(sim.stats.sessionsClosed).toBeGreaterThan(3);
  });
});
