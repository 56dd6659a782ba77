// The short fuzz run of the peer stream's decoder (seeded, fixed count; docs/FUZZING.md).
import { describe, expect, it } from "vitest";
import { describeFindings, shortRun } from "../../fuzz/engine/short-run.js";
import { peerMessage } from "../../fuzz/targets/peer-message.js";

describe("fuzz: the peer stream's decoder", () => {
  it("peer-message: replays the corpus, then 1200 mutations without a finding", () => {
    const report = shortRun(peerMessage, 1200);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(1200);
  });
});
