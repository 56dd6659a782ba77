import { describe, expect, it } from "vitest";
import { BenchArgError, defaultOptions, parseArgs } from "../../../bench/args.js";

describe("paddock bench arguments", () => {
  it("defaults to run against paddock with every workload", () => {
    const o = parseArgs([]);
    expect(o.command).toBe("run");
    expect(o.targets).toEqual(["paddock"]);
    expect(o.workloads).toEqual(defaultOptions.workloads);
  });

  it("compare defaults to the three servers", () => {
    expect(parseArgs(["compare"]).targets).toEqual(["paddock", "zookeeper", "etcd"]);
  });

  it("takes --key value and --key=value, lists and numbers", () => {
    const o = parseArgs([
      "run",
      "--target=zookeeper,etcd",
      "--workload",
      "set,get",
      "--clients",
      "3",
      "--concurrency=16",
      "--duration",
      "0.5",
      "--read-ratio",
      "0.75",
      "--ops",
      "1000",
      "--json",
    ]);
    expect(o.targets).toEqual(["zookeeper", "etcd"]);
    expect(o.workloads).toEqual(["set", "get"]);
    expect(o.clients).toBe(3);
    expect(o.concurrency).toBe(16);
    expect(o.durationS).toBe(0.5);
    expect(o.readRatio).toBe(0.75);
    expect(o.ops).toBe(1000);
    expect(o.json).toBe(true);
  });

  it("expands all", () => {
    expect(parseArgs(["--target", "all"]).targets).toEqual(["paddock", "zookeeper", "etcd", "noop"]);
  });

  it.each([
    [["--clients", "0"], "--clients wants an integer"],
    [["--clients", "1.5"], "--clients wants an integer"],
    [["--read-ratio", "2"], "--read-ratio wants a number in [0, 1]"],
    [["--duration", ""], "--duration wants a number"],
    [["--target", "redis"], 'unknown "redis"'],
    [["--bogus", "1"], "unknown option --bogus"],
    [["--workers"], "--workers needs a value"],
    [["stray"], 'unexpected argument "stray"'],
    [["--address", "localhost"], "--address wants host:port"],
    [["--address", "127.0.0.1:2181", "--target", "paddock,etcd"], "exactly one --target"],
    [["--server-pid", "42"], "--server-pid goes with --address"],
    [["compare", "--target", "zookeeper,etcd"], "include it in --target"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(BenchArgError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it("treats --help as the help command", () => {
    expect(parseArgs(["compare", "--help"]).command).toBe("help");
  });
});
