// The short fuzz run of the ZooKeeper door's decoders (seeded, fixed count; docs/FUZZING.md).
import { describe, expect, it } from "vitest";
import { describeFindings, shortRun } from "../../fuzz/engine/short-run.js";
import { juteRequest } from "../../fuzz/targets/jute-request.js";
import { juteStream } from "../../fuzz/targets/jute-stream.js";

describe("fuzz: the ZooKeeper door's decoders", () => {
  it("jute-request: replays the corpus, then 3000 mutations without a finding", () => {
    const report = shortRun(juteRequest, 3000);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(3000);
  });

  it("jute-stream: replays the corpus, then 2000 mutations without a finding", () => {
    const report = shortRun(juteStream, 2000);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(2000);
  });
});
