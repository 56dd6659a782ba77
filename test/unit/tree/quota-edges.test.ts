import { describe, expect, it } from "vitest";
import { DataTree } from "../../../server/tree/data-tree.js";
import {
  formatStatsTrack,
  limitsPath,
  parseStatsTrack,
  QuotaGuard,
  statsPath,
  trackValue,
} from "../../../server/tree/quota.js";
import { Code } from "../../../server/util/error-code.js";
import type { PaddockError } from "../../../server/util/paddock-error.js";
import { create, del, E, setData, txn } from "./txns.js";

// The quota code's edges, each exact: the StatsTrack text at its limits, which nodes under
// /zookeeper/quota name a quota, and QuotaGuard's arithmetic (limits at exactly the value, writes in
// flight, rollback, commit) and its log line's rate limit at exactly one second.

/** A tree applying txns in zxid order. */
class Tree {
  readonly tree = new DataTree();
  private zxid = E;

  run(body: Parameters<typeof txn>[1]): number {
    const out = this.tree.apply(txn(++this.zxid, body));
    expect(out.code).toBe(Code.OK);
    return this.zxid;
  }

  mk(path: string, data = ""): void {
    this.run(create(path, data, 0));
  }

  /** zkCli's setquota: the directory, the limits node, then the stats node. */
  quota(root: string, limits: string): void {
    this.mk(`/zookeeper/quota${root}`);
    this.mk(limitsPath(root), limits);
    this.mk(statsPath(root), "count=0,bytes=0");
  }

  text(path: string): string {
    return this.tree.getData(path, []).data.toString();
  }
}

function refusal(f: () => void): PaddockError {
  try {
    f();
  } catch (e) {
    return e as PaddockError;
  }
  throw new Error("no refusal");
}

describe("StatsTrack text at its edges", () => {
  it("reads signs, zeros and the int64 range; skips what Long.parseLong would refuse", () => {
    const t = parseStatsTrack(
      "a=+7,b=-0,c=-9223372036854775808,d=-9223372036854775809,e=1x,f=x1,g= 1,h=1.5,i=-",
    );
    expect([...t]).toEqual([
      ["a", 7n],
      ["b", 0n],
      ["c", -9223372036854775808n],
    ]);
    // A pair needs a key and "="; later "=" parts are ignored, as StatsTrack's split does.
    expect([...parseStatsTrack("=1,k,count=3=4,bytes=")]).toEqual([
      ["count", 3n],
      ["bytes", -1n],
    ]);
    expect([...parseStatsTrack("")]).toEqual([]);
    expect([...parseStatsTrack(";,")]).toEqual([]);
  });

  it("formats without the extra '=' when only count and bytes are set; absent keys read -1", () => {
    const t = parseStatsTrack("bytes=4");
    expect(formatStatsTrack(t)).toBe("count=-1,bytes=4");
    expect(trackValue(t, "count")).toBe(-1n);
    expect(trackValue(t, "bytes")).toBe(4n);
    expect(formatStatsTrack(parseStatsTrack("countHardLimit=0,count=1,bytes=2"))).toBe(
      "count=1,bytes=2=;countHardLimit=0",
    );
  });

  it("names the limits and stats nodes of a quota'd path", () => {
    expect(limitsPath("/a/b")).toBe("/zookeeper/quota/a/b/zookeeper_limits");
    expect(statsPath("/a/b")).toBe("/zookeeper/quota/a/b/zookeeper_stats");
  });
});

describe("which nodes make a quota (the apply side)", () => {
  it("only a node named zookeeper_limits under /zookeeper/quota/<path>; other names and places are plain nodes", () => {
    const t = new Tree();
    t.mk("/q");
    t.mk("/zookeeper/quota/q");
    t.mk("/zookeeper/quota/q/other", "count=1");
    t.mk("/zookeeper/quota/q/zookeeper_limitsx");
    t.mk("/elsewhere");
    t.mk("/elsewhere/zookeeper_limits", "count=1");
    expect(t.tree.quota.size).toBe(0);
    expect(t.tree.quota.rootOf("/q")).toBeUndefined();
    t.mk(limitsPath("/q"), "count=1");
    expect(t.tree.quota.size).toBe(1);
    expect(t.tree.quota.rootOf("/q")).toBe("/q");
    expect(t.tree.quota.rootOf("/q/deep/er")).toBe("/q");
    expect(t.tree.quota.rootOf("/qq")).toBeUndefined();
    expect(t.tree.quota.rootOf("/")).toBeUndefined();
  });

  it("a stats node made before the limits node recounts the subtree; the view needs both nodes", () => {
    const t = new Tree();
    t.mk("/q", "ab");
    t.mk("/q/c", "cde");
    t.mk("/zookeeper/quota/q");
    t.mk(statsPath("/q"), "count=0,bytes=0");
    expect(t.text(statsPath("/q"))).toBe("count=2,bytes=5");
    expect(t.tree.quota.size).toBe(0);
    expect(t.tree.quota.view("/q")).toBeUndefined();
    t.mk(limitsPath("/q"), "count=9,bytes=-1");
    expect(t.tree.quota.view("/q/c")).toEqual({
      root: "/q",
      limits: new Map([
        ["count", 9n],
        ["bytes", -1n],
      ]),
      stats: new Map([
        ["count", 2n],
        ["bytes", 5n],
      ]),
    });
    // A stats node for a path that does not exist counts nothing.
    t.mk("/zookeeper/quota/none");
    t.mk(statsPath("/none"), "count=7,bytes=7");
    expect(t.text(statsPath("/none"))).toBe("count=0,bytes=0");
  });

  it("a setData of the same size still rewrites the stats; deleting the stats node stops the upkeep only", () => {
    const t = new Tree();
    t.mk("/q", "ab");
    t.quota("/q", "count=9");
    t.run(setData(statsPath("/q"), "count=5,bytes=5", 1));
    t.run(setData("/q", "cd", 1));
    expect(t.text(statsPath("/q"))).toBe("count=5,bytes=5");
    t.run(del(statsPath("/q")));
    t.mk("/q/x", "123");
    expect(t.tree.quota.size).toBe(1);
    // Without its stats node the quota is not checked (ZooKeeper skips it too).
    expect(t.tree.quota.view("/q/x")).toBeUndefined();
    t.run(del(limitsPath("/q")));
    expect(t.tree.quota.size).toBe(0);
  });

  it("a limits node right under /zookeeper/quota (a quota on /) makes no quota, applied or restored", () => {
    const t = new Tree();
    t.mk("/zookeeper/quota/zookeeper_limits", "count=1");
    t.mk("/zookeeper/quota/zookeeper_stats", "count=5,bytes=5");
    expect(t.tree.quota.size).toBe(0);
    // Not recounted as a stats node is: its data stays as written.
    expect(t.text("/zookeeper/quota/zookeeper_stats")).toBe("count=5,bytes=5");
    const restored = DataTree.restore(t.tree.snapshotAcls(), t.tree.snapshotNodes(), t.tree.lastZxid);
    expect(restored.quota.size).toBe(0);
  });

  it("deleting another node under a quota's directory ends no quota, whatever its name's length", () => {
    const t = new Tree();
    t.mk("/q");
    t.quota("/q", "count=9");
    // 16 characters: cut as if it were zookeeper_limits, its path would name the quota "/q".
    t.mk("/zookeeper/quota/q/0123456789abcdef");
    t.run(del("/zookeeper/quota/q/0123456789abcdef"));
    expect(t.tree.quota.rootOf("/q")).toBe("/q");
  });

  it("deleting a node named zookeeper_limits outside /zookeeper/quota ends no quota", () => {
    const t = new Tree();
    t.mk("/q");
    t.quota("/q", "count=9");
    t.mk("/q/zookeeper_limits");
    t.run(del("/q/zookeeper_limits"));
    expect(t.tree.quota.rootOf("/q")).toBe("/q");
    expect(t.text(statsPath("/q"))).toBe("count=1,bytes=0");
  });
});

describe("QuotaGuard's arithmetic", () => {
  function guarded(limits: string, enforce = true) {
    const t = new Tree();
    t.mk("/q", "12345");
    t.quota("/q", limits);
    const warnings: string[] = [];
    const guard = new QuotaGuard({ enforce, warn: (m) => warnings.push(m) });
    return { t, guard, warnings, index: t.tree.quota };
  }

  it("a hard count limit holds at exactly the limit and refuses one past it", () => {
    const { guard, index, warnings } = guarded("count=-1,bytes=-1=;countHardLimit=2");
    guard.check(index, "/q/a", 1, 0, 0);
    expect(warnings).toEqual([]);
    guard.record(index, E + 100, "/q/a", 1, 0);
    const e = refusal(() => guard.check(index, "/q/b", 1, 0, 0, "/q/b-req"));
    expect([e.code, e.path, e.message]).toEqual([
      Code.QuotaExceeded,
      "/q/b-req",
      "QuotaExceeded for /q/b-req: the quota on /q allows 2 nodes (hardCountLimit), this write makes 3",
    ]);
    expect(warnings).toEqual(["Quota exceeded: /q [current count=3, hardCountLimit=2]"]);
    // A delete in flight, and a change of no nodes, are never refused.
    guard.check(index, "/q/a", -1, 0, 0);
    guard.check(index, "/q/a", 0, 0, 0);
  });

  it("a change of no nodes and no bytes is not held to limits already passed", () => {
    const t = new Tree();
    t.mk("/q", "12345");
    t.mk("/q/a");
    t.mk("/q/b");
    t.quota("/q", "count=-1,bytes=-1=;byteHardLimit=1;countHardLimit=1");
    const warnings: string[] = [];
    const guard = new QuotaGuard({ enforce: true, warn: (m) => warnings.push(m) });
    // A setData of the same size: neither count nor bytes change, so neither limit is consulted.
    guard.check(t.tree.quota, "/q/a", 0, 0, 0);
    expect(warnings).toEqual([]);
    // Shrinking while still over is refused (ZooKeeper 3.8 does the same), by bytes only.
    expect(refusal(() => guard.check(t.tree.quota, "/q/a", 0, -1, 0)).message).toBe(
      "QuotaExceeded for /q/a: the quota on /q allows 1 bytes (hardByteLimit), this write makes 4",
    );
  });

  it("bytes in flight count, also those of a change that adds no node", () => {
    const { guard, index } = guarded("count=-1,bytes=-1=;byteHardLimit=10");
    guard.record(index, E + 100, "/q", 0, 3);
    guard.check(index, "/q", 0, 2, 0);
    expect(refusal(() => guard.check(index, "/q", 0, 3, 0)).message).toBe(
      "QuotaExceeded for /q: the quota on /q allows 10 bytes (hardByteLimit), this write makes 11",
    );
    guard.committed(E + 100);
    guard.check(index, "/q", 0, 5, 0);
  });

  it("a hard byte limit names bytes and hardByteLimit; zero limits count too", () => {
    const { guard, index } = guarded("count=-1,bytes=-1=;byteHardLimit=7");
    guard.check(index, "/q", 0, 2, 0);
    const e = refusal(() => guard.check(index, "/q", 0, 3, 0));
    expect(e.message).toBe(
      "QuotaExceeded for /q: the quota on /q allows 7 bytes (hardByteLimit), this write makes 8",
    );
    const zero = guarded("count=-1,bytes=-1=;countHardLimit=0");
    expect(refusal(() => zero.guard.check(zero.index, "/q/a", 1, 0, 0)).message).toBe(
      "QuotaExceeded for /q/a: the quota on /q allows 0 nodes (hardCountLimit), this write makes 2",
    );
  });

  it("soft limits log with their kind and never refuse; a soft limit of 0 counts", () => {
    const { guard, index, warnings } = guarded("count=0,bytes=5");
    guard.check(index, "/q/a", 1, 1, 0);
    expect(warnings).toEqual([
      "Quota exceeded: /q [current count=2, softCountLimit=0]",
      "Quota exceeded: /q [current bytes=6, softByteLimit=5]",
    ]);
  });

  it("no limit of a kind set (-1): that kind is not checked", () => {
    const { guard, index, warnings } = guarded("count=-1,bytes=-1");
    guard.check(index, "/q/a", 1000, 1000, 0);
    expect(warnings).toEqual([]);
  });

  it("a hard limit without enforcement logs that it was not enforced", () => {
    const { guard, index, warnings } = guarded("count=-1,bytes=-1=;byteHardLimit=4", false);
    guard.check(index, "/q", 0, 1, 0);
    expect(warnings).toEqual([
      "Quota exceeded: /q [current bytes=6, hardByteLimit=4] (not enforced: enforceQuota=false)",
    ]);
  });

  it("recorded changes count until committed, rollback takes back a multi's, reset forgets all", () => {
    const { guard, index } = guarded("count=-1,bytes=-1=;countHardLimit=3");
    // Applied: /q alone (count=1); each check adds one node.
    const full = () => refusal(() => guard.check(index, "/q/n", 1, 0, 0)).code;
    guard.record(index, E + 100, "/q/a", 1, 0);
    guard.record(index, E + 101, "/q/b", 1, 0);
    expect(full()).toBe(Code.QuotaExceeded);
    // Committed up to E + 100: its change is in the applied stats now (not here: this test
    // applies nothing), so only E + 101 still counts.
    guard.committed(E + 100);
    guard.check(index, "/q/n", 1, 0, 0);
    const mark = guard.mark();
    expect(mark).toBe(2);
    guard.record(index, E + 102, "/q/c", 1, 0);
    expect(full()).toBe(Code.QuotaExceeded);
    guard.rollback(mark);
    expect(guard.mark()).toBe(2);
    guard.check(index, "/q/n", 1, 0, 0);
    guard.committed(E + 101);
    // All committed: the queue starts again from empty.
    expect(guard.mark()).toBe(0);
    guard.record(index, E + 103, "/q/d", 2, 0);
    expect(full()).toBe(Code.QuotaExceeded);
    guard.reset();
    expect(guard.mark()).toBe(0);
    guard.check(index, "/q/n", 1, 0, 0);
  });

  it("changes outside any quota are neither checked nor recorded", () => {
    const { guard, index } = guarded("count=-1,bytes=-1=;countHardLimit=1");
    guard.record(index, E + 100, "/other", 5, 5);
    expect(guard.mark()).toBe(0);
    guard.check(index, "/other/x", 100, 0, 0);
  });

  it("logs one line per quota and kind per second: at 999 ms held back, at 1000 ms written with the count", () => {
    const { guard, index, warnings } = guarded("count=0,bytes=0");
    guard.check(index, "/q/a", 1, 0, 0);
    guard.check(index, "/q/a", 0, 1, 0);
    guard.check(index, "/q/a", 1, 0, 999);
    guard.check(index, "/q/a", 1, 0, 999);
    guard.check(index, "/q/a", 1, 0, 1000);
    guard.check(index, "/q/a", 1, 0, 1500);
    guard.check(index, "/q/a", 1, 0, 2000);
    guard.check(index, "/q/a", 1, 0, 3000);
    expect(warnings).toEqual([
      "Quota exceeded: /q [current count=2, softCountLimit=0]",
      "Quota exceeded: /q [current bytes=6, softByteLimit=0]",
      "Quota exceeded: /q [current count=2, softCountLimit=0] (and 2 more since the last)",
      "Quota exceeded: /q [current count=2, softCountLimit=0] (and 1 more since the last)",
      "Quota exceeded: /q [current count=2, softCountLimit=0]",
    ]);
  });

  it("without a warn callback nothing is logged and a hard limit still refuses", () => {
    const t = new Tree();
    t.mk("/q");
    t.quota("/q", "count=-1,bytes=-1=;countHardLimit=1");
    const guard = new QuotaGuard({ enforce: true });
    expect(refusal(() => guard.check(t.tree.quota, "/q/a", 1, 0, 0)).code).toBe(Code.QuotaExceeded);
    new QuotaGuard({ enforce: false }).check(t.tree.quota, "/q/a", 1, 0, 0);
  });
});
