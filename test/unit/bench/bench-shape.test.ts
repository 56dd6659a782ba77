import { describe, expect, it } from "vitest";
import { BenchArgError, clientName, loadWorkloads, parseArgs, usage } from "../../../bench/args.js";
import { Histogram } from "../../../bench/histogram.js";
import { describeShape, shapeOf } from "../../../bench/main.js";
import { computeRatios, formatTable, makeRow } from "../../../bench/report.js";

describe("paddock bench shapes: --topology and --generator", () => {
  it("defaults to independent sessions from the TS generator, and says so in --help", () => {
    const o = parseArgs([]);
    expect(o.topology).toBe("independent");
    expect(o.generator).toBe("ts");
    expect(o.paddockClient).toBe("ts");
    expect(usage).toMatch(
      /--topology independent\|multiplexed\s+independent \(default, how applications connect\)/,
    );
    expect(usage).toContain("--generator ts|go|python|java");
  });

  it("multiplexes only Paddock's TS clients", () => {
    expect(parseArgs(["--topology", "multiplexed"]).topology).toBe("multiplexed");
    expect(
      parseArgs(["--topology=multiplexed", "--target=paddock,noop", "--paddock-client=raw"]).topology,
    ).toBe("multiplexed");
  });

  it.each([
    [
      ["--topology", "multiplexed", "--target", "zookeeper"],
      "zookeeper through node-zookeeper-client opens one connection per session",
    ],
    [
      ["--topology", "multiplexed", "--target", "etcd"],
      "etcd through etcd3 opens one connection per session",
    ],
    [["--topology", "multiplexed", "--paddock-client", "jute"], "paddock through node-zookeeper-client"],
    [
      ["--topology", "multiplexed", "--generator", "go"],
      "clients/go and go-zookeeper give every session its own connection",
    ],
    [["--topology", "shared"], '--topology wants independent or multiplexed, got "shared"'],
    [
      ["--topology", "multiplexed", "--generator", "java"],
      "clients/java and ZooKeeper's Java client give every session its own connection",
    ],
    [["--generator", "rust"], '--generator wants ts, go, python, java, got "rust"'],
    [
      ["--generator", "python", "--target", "etcd"],
      "--generator python drives paddock, zookeeper, noop, not etcd",
    ],
    [
      ["--generator", "python", "--paddock-client", "go"],
      "clients/python (--paddock-client python, its default)",
    ],
    [["--generator", "java", "--workload", "sessions"], "leave out --generator java for it"],
    [["--paddock-client", "python"], "--paddock-client python is Paddock's Python client"],
    [["--generator", "go", "--target", "etcd"], "--generator go drives paddock, zookeeper, noop, not etcd"],
    [["--generator", "go", "--workload", "set,watch"], "watch runs in the coordinating process"],
    [["--generator", "go", "--paddock-client", "raw"], "not --paddock-client raw"],
    [["--paddock-client", "go"], "--paddock-client go is Paddock's Go client: it goes with --generator go"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(BenchArgError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it("the Go generator defaults to clients/go, its targets and the load workloads", () => {
    const o = parseArgs(["compare", "--generator", "go"]);
    expect(o.paddockClient).toBe("go");
    expect(o.targets).toEqual(["paddock", "zookeeper"]);
    expect(o.workloads).toEqual([...loadWorkloads]);
    expect(parseArgs(["--generator=go", "--paddock-client=jute"]).paddockClient).toBe("jute");
    expect(parseArgs(["--generator=python"]).paddockClient).toBe("python");
    expect(parseArgs(["--generator=java", "--paddock-client=jute"]).paddockClient).toBe("jute");
  });

  it("names each target's client for the generator", () => {
    const go = parseArgs(["--generator", "go"]);
    expect(clientName("paddock", go)).toBe("clients/go");
    expect(clientName("noop", go)).toBe("clients/go");
    expect(clientName("zookeeper", go)).toBe("go-zookeeper");
    expect(clientName("paddock", { generator: "go", paddockClient: "jute" })).toBe("go-zookeeper");
    const py = parseArgs(["--generator", "python"]);
    expect(clientName("paddock", py)).toBe("clients/python");
    expect(clientName("zookeeper", py)).toBe("kazoo");
    expect(clientName("paddock", { generator: "python", paddockClient: "jute" })).toBe("kazoo");
    const java = parseArgs(["--generator", "java"]);
    expect(clientName("paddock", java)).toBe("clients/java");
    expect(clientName("zookeeper", java)).toBe("ZooKeeper's Java client");
    const ts = parseArgs([]);
    expect(clientName("paddock", ts)).toBe("clients/ts");
    expect(clientName("zookeeper", ts)).toBe("node-zookeeper-client");
    expect(clientName("etcd", ts)).toBe("etcd3");
    expect(clientName("paddock", { generator: "ts", paddockClient: "raw" })).toBe("raw stubs");
    expect(clientName("paddock", { generator: "ts", paddockClient: "jute" })).toBe("node-zookeeper-client");
  });

  it("prints the shape: sessions, in flight, connections", () => {
    const o = parseArgs([
      "--generator=go",
      "--target=paddock,zookeeper",
      "--workers=2",
      "--clients=16",
      "--concurrency=4",
    ]);
    expect(shapeOf(o)).toMatchObject({
      topology: "independent",
      sessions: 32,
      inFlightPerSession: 4,
      connections: 32,
    });
    expect(describeShape(o)).toBe(
      "shape: independent: 32 sessions (2 go generator processes × 16), 4 in flight each, each session its own " +
        "connection; paddock through clients/go, zookeeper through go-zookeeper",
    );
    const m = parseArgs(["--topology=multiplexed", "--workers=2", "--clients=16"]);
    expect(shapeOf(m).connections).toBe(2);
    expect(describeShape(m)).toContain("share one gRPC transport (2 connections)");
  });

  const row = (target: string, topology: string, opsPerSec: number) =>
    makeRow({
      target,
      workload: "set",
      ops: opsPerSec,
      durationS: 1,
      histogram: Histogram.fromData({
        buckets: [[100, opsPerSec]],
        count: opsPerSec,
        min: 100,
        max: 100,
        sum: 100 * opsPerSec,
      }),
      errors: 0,
      clientCpuS: 0,
      serverCpuS: null,
      generator: "go",
      client: target === "paddock" ? "clients/go" : "go-zookeeper",
      topology,
      sessions: 32,
      inFlight: 4,
      extra: { serverConnections: 32 },
    });

  it("every table row names its client, topology and sessions × in flight", () => {
    const table = formatTable([
      row("paddock", "independent", 100),
      row("zookeeper", "independent", 50),
    ]).split("\n");
    expect(table[0]).toMatch(
      /^workload\s+target\s+members\s+client\s+topology\s+sessions×in flight\s+ops\/s/,
    );
    expect(table[1]).toMatch(/^set\s+paddock\s+1\s+go clients\/go\s+independent\s+32×4\s+100\s/);
    expect(table[2]).toMatch(/^set\s+zookeeper\s+1\s+go go-zookeeper\s+independent\s+32×4\s/);
    expect(table[1]).toContain("server counted 32 generator connections");
  });

  it("computes ratios between rows of the same shape only", () => {
    const ratios = computeRatios([
      row("paddock", "independent", 100),
      row("zookeeper", "independent", 50),
      row("zookeeper", "multiplexed", 10),
    ]);
    expect(ratios).toHaveLength(1);
    expect(ratios[0]!.throughput).toBe(2);
  });
});
