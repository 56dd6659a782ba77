import { describe, expect, it } from "vitest";
import type { Op } from "../../../server/pipeline/op-kinds.js";
import { RequestStats, requestOpNames } from "../../../server/pipeline/request-stats.js";

// Request latency as mntr and the metrics read it: all requests, reads and writes apart, per op.
const op = (name: string) => ({ $case: name, value: {} }) as unknown as Op;
const WRITES = ["close", "create", "delete", "multi", "reconfig", "setAcl", "setData", "txn"];

describe("request latency figures", () => {
  it("names every op of the session protocol once, in order", () => {
    expect(requestOpNames).toEqual([
      "addAuth",
      "addWatch",
      "close",
      "create",
      "delete",
      "exists",
      "getAcl",
      "getAllChildrenNumber",
      "getChildren",
      "getData",
      "getEphemerals",
      "multi",
      "multiRead",
      "ping",
      "reconfig",
      "removeWatches",
      "setAcl",
      "setData",
      "setWatches",
      "sync",
      "txn",
      "whoAmI",
    ]);
  });

  it("records each op in all, in reads or updates by kind, and in its own figures", () => {
    const s = new RequestStats();
    for (const [i, name] of requestOpNames.entries()) s.record(op(name), i + 1);
    expect(s.all.count).toBe(22);
    expect([s.update.count, s.read.count]).toEqual([8, 14]);
    const writeMs = WRITES.map((w) => requestOpNames.indexOf(w as never) + 1);
    expect(s.update.sum).toBe(writeMs.reduce((a, b) => a + b, 0));
    expect(s.read.sum).toBe((22 * 23) / 2 - s.update.sum);
    for (const [i, name] of requestOpNames.entries()) {
      expect([name, s.byOp[name].count, s.byOp[name].sum]).toEqual([name, 1, i + 1]);
    }
  });

  it("a request without an op counts in all only", () => {
    const s = new RequestStats();
    s.record(undefined, 3);
    expect([s.all.count, s.read.count, s.update.count]).toEqual([1, 0, 0]);
  });

  it("puts each value in its histogram bucket: quantiles come from the buckets", () => {
    const s = new RequestStats();
    for (const ms of [1, 1, 1, 100]) s.record(op("getData"), ms);
    // 1 ms falls in the bucket whose middle is 2^(1/8) ms, 100 ms in the one whose middle is 2^(26.5/4).
    for (const stats of [s.all, s.read, s.byOp.getData]) {
      expect(stats.quantile(0.5)).toBeCloseTo(2 ** (1 / 8), 10);
      expect(stats.quantile(1)).toBeCloseTo(2 ** (26.5 / 4), 10);
    }
  });

  it("srst empties every figure and keeps the auth failures", () => {
    const s = new RequestStats();
    for (const name of requestOpNames) s.record(op(name), 5);
    s.authFailed = 2;
    s.reset();
    const figures = [s.all, s.read, s.update, ...requestOpNames.map((n) => s.byOp[n])];
    expect(figures.map((f) => [f.count, f.sum, f.max, f.quantile(0.5)])).toEqual(
      figures.map(() => [0, 0, 0, 0]),
    );
    expect(s.authFailed).toBe(2);
  });
});
