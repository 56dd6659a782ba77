// The short fuzz run of the gRPC doors' decoders and the checks after them (seeded, fixed count; docs/FUZZING.md).
import { describe, expect, it } from "vitest";
import { describeFindings, shortRun } from "../../fuzz/engine/short-run.js";
import { grpcSession } from "../../fuzz/targets/grpc-session.js";
import { grpcUnary } from "../../fuzz/targets/grpc-unary.js";

describe("fuzz: the gRPC doors' decoders and the checks after them", () => {
  it("grpc-session: replays the corpus, then 1000 mutations without a finding", () => {
    const report = shortRun(grpcSession, 1000);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(1000);
  });

  it("grpc-unary: replays the corpus, then 1000 mutations without a finding", () => {
    const report = shortRun(grpcUnary, 1000);
    expect(describeFindings(report)).toEqual([]);
    expect(report.executions).toBe(1000);
  });
});
