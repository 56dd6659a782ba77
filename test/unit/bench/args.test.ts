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

  it("lets the memory workload rest 30 s before reading RSS unless --settle says otherwise", () => {
    expect(parseArgs([]).settleS).toBe(30);
    expect(parseArgs(["run", "--settle", "0"]).settleS).toBe(0);
    expect(() => parseArgs(["run", "--settle", "-1"])).toThrow(/settle/);
  });

  it("starts standalone servers unless --members says otherwise", () => {
    expect(parseArgs([]).members).toBe(1);
    expect(parseArgs(["run", "--members", "3"]).members).toBe(3);
    expect(parseArgs(["compare", "--members=5"]).members).toBe(5);
    expect(parseArgs(["--members", "1"]).members).toBe(1);
  });

  it("takes one pid per member with --address", () => {
    const o = parseArgs(["--address", "127.0.0.1:1,127.0.0.1:2", "--server-pid", "10,11"]);
    expect(o.serverPids).toEqual([10, 11]);
    expect(parseArgs(["--address", "127.0.0.1:1", "--server-pid", "7"]).serverPids).toEqual([7]);
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
    [["--members", "2"], '--members wants 1, 3 or 5, got "2"'],
    [["--members", "0"], "--members wants 1, 3 or 5"],
    [["--members", "7"], "--members wants 1, 3 or 5"],
    [["--members", "3.0"], "--members wants 1, 3 or 5"],
    [["--members", ""], "--members wants 1, 3 or 5"],
    [["--members"], "--members needs a value"],
    [["--members", "3", "--address", "127.0.0.1:2181"], "--members starts an ensemble"],
    [["--address", "127.0.0.1:1", "--server-pid", "10,x"], "--server-pid wants an integer"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(BenchArgError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it("treats --help as the help command", () => {
    expect(parseArgs(["compare", "--help"]).command).toBe("help");
  });
});

describe("--tree", () => {
  it("loads no tree by default; takes a count from 0", () => {
    expect(parseArgs([]).tree).toBe(0);
    expect(parseArgs(["--tree", "1000000"]).tree).toBe(1_000_000);
    expect(parseArgs(["--tree=0"]).tree).toBe(0);
    expect(() => parseArgs(["--tree=-1"])).toThrow(BenchArgError);
    expect(() => parseArgs(["--tree=many"])).toThrow(BenchArgError);
  });
});
