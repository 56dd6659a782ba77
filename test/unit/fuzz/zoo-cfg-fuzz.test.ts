// The short fuzz run of the zoo.cfg parser (seeded, fixed count; docs/FUZZING.md).
import { describe, expect, it } from "vitest";
import { describeFindings, shortRun } from "../../fuzz/engine/short-run.js";
import { zooCfg } from "../../fuzz/targets/zoo-cfg.js";

describe("fuzz: the zoo.cfg parser", () => {
  it("zoo-cfg: replays the corpus, then 2000 mutations without a finding", () => {
    const report = shortRun(zooCfg, 2000);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(2000);
  });
});
