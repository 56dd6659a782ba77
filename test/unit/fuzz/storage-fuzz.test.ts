// The short fuzz run of the log segment and snapshot readers (seeded, fixed count; docs/FUZZING.md).
import { describe, expect, it } from "vitest";
import { describeFindings, shortRun } from "../../fuzz/engine/short-run.js";
import { logSegment } from "../../fuzz/targets/log-segment.js";
import { snapshot } from "../../fuzz/targets/snapshot.js";

describe("fuzz: the log segment and snapshot readers", () => {
  it("log-segment: replays the corpus, then 2000 mutations without a finding", () => {
    const report = shortRun(logSegment, 2000);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(2000);
  });

  it("snapshot: replays the corpus, then 2000 mutations without a finding", () => {
    const report = shortRun(snapshot, 2000);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(2000);
  });
});
