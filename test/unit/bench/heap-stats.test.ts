import { describe, expect, it } from "vitest";
import { heapAfterGc, parseJcmdHeapUsed, parsePaddockHeap } from "../../../bench/heap-stats.js";

// `jcmd <pid> GC.heap_info` after `GC.run`, OpenJDK 17, ZooKeeper 3.8 with each collector.
const g1 = `22401:
 garbage-first heap   total 17408K, used 3660K [0x00000000c1800000, 0x0000000100000000)
  region size 1024K, 0 young (0K), 0 survivors (0K)
 Metaspace       used 2081K, committed 2240K, reserved 1114112K
  class space    used 226K, committed 320K, reserved 1048576K
`;
const serial = `22497:
 def new generation   total 116224K, used 12K [0x00000000c1800000, 0x00000000c9610000, 0x00000000d6550000)
  eden space 103360K,   0% used [0x00000000c1800000, 0x00000000c1800000, 0x00000000c7cf0000)
  from space 12864K,   0% used [0x00000000c7cf0000, 0x00000000c7cf0000, 0x00000000c8980000)
  to   space 12864K,   0% used [0x00000000c8980000, 0x00000000c8980000, 0x00000000c9610000)
 tenured generation   total 258048K, used 3172K [0x00000000d6550000, 0x00000000e6150000, 0x0000000100000000)
   the space 258048K,   1% used [0x00000000d6550000, 0x00000000d68690d8, 0x00000000d6869200, 0x00000000e6150000)
 Metaspace       used 2104K, committed 2240K, reserved 1114112K
  class space    used 226K, committed 320K, reserved 1048576K
`;
const parallel = `22612:
 PSYoungGen      total 113152K, used 0K [0x00000000eb300000, 0x00000000f3100000, 0x0000000100000000)
  eden space 97280K, 0% used [0x00000000eb300000,0x00000000eb300000,0x00000000f1200000)
 ParOldGen       total 258048K, used 3172K [0x00000000c1800000, 0x00000000d1400000, 0x00000000eb300000)
  object space 258048K, 1% used [0x00000000c1800000,0x00000000c1b190a8,0x00000000d1400000)
 Metaspace       used 2109K, committed 2240K, reserved 1114112K
`;

describe("jcmd GC.heap_info", () => {
  it("reads G1's used heap, without Metaspace", () => {
    expect(parseJcmdHeapUsed(g1)).toBe(3660 * 1024);
  });

  it("sums the generations of the Serial and Parallel collectors", () => {
    expect(parseJcmdHeapUsed(serial)).toBe((12 + 3172) * 1024);
    expect(parseJcmdHeapUsed(parallel)).toBe(3172 * 1024);
  });

  it("reads ZGC's and Shenandoah's lines with their units", () => {
    expect(parseJcmdHeapUsed(" ZHeap           used 10M, capacity 16M, max capacity 1000M\n")).toBe(
      10 * 2 ** 20,
    );
    expect(
      parseJcmdHeapUsed("Shenandoah Heap\n 1000M max, 1000M soft max, 36864K committed, 27045K used\n"),
    ).toBe(27045 * 1024);
  });

  it("gives no figure for an answer without a heap line (an error, a gone process)", () => {
    expect(parseJcmdHeapUsed("")).toBeNull();
    expect(
      parseJcmdHeapUsed(
        "22401:\ncom.sun.tools.attach.AttachNotSupportedException: Unable to open socket file",
      ),
    ).toBeNull();
    expect(parseJcmdHeapUsed(" Metaspace       used 2081K, committed 2240K, reserved 1114112K\n")).toBeNull();
  });
});

describe("Paddock's heap command as the bench reads it", () => {
  const answer = {
    gc_ms: 12.5,
    heap_used: 50_000_000,
    heap_total: 60_000_000,
    heap_limit: 4_345_298_944,
    external: 7_000_000,
    array_buffers: 6_000_000,
    live: 57_000_000,
    rss: 150_000_000,
    malloced: 300_000,
    spaces: { old_space: { used: 40_000_000, size: 45_000_000 } },
    command: "heap",
    error: null,
  };

  it("takes V8's used heap and external memory; live is their sum", () => {
    expect(parsePaddockHeap(JSON.stringify(answer))).toEqual({
      used: 50_000_000,
      external: 7_000_000,
      live: 57_000_000,
      gcMs: 12.5,
    });
  });

  it("gives no figure for an error, an unknown command or text", () => {
    expect(
      parsePaddockHeap(JSON.stringify({ command: "heap", error: "server is not initialized" })),
    ).toBeNull();
    expect(parsePaddockHeap(JSON.stringify({ command: "heap", error: "Unknown command: heap" }))).toBeNull();
    expect(parsePaddockHeap("heap is not a known command")).toBeNull();
  });

  it("has no reading for etcd, nor for a ZooKeeper without processes", async () => {
    expect(await heapAfterGc("etcd", "127.0.0.1:2379", [1])).toBeNull();
    expect(await heapAfterGc("zookeeper", "127.0.0.1:2181", [])).toBeNull();
  });
});
