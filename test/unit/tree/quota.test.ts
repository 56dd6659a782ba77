import { describe, expect, it } from "vitest";
import type { Op } from "../../../server/gen/paddock/v1/data.js";
import { type ApplyOutcome, DataTree } from "../../../server/tree/data-tree.js";
import { Prep, type PrepContext, type TxnBody } from "../../../server/tree/prep.js";
import { formatStatsTrack, parseStatsTrack } from "../../../server/tree/quota.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import type { PaddockError } from "../../../server/util/paddock-error.js";
import { createReq } from "./harness.js";
import { E } from "./txns.js";

// The expected texts are ZooKeeper 3.8's (test/clients/zk/quota.test.ts pins the same through zkCli).

/** A tree with prep in front, as the pipeline runs them; warnings are collected. */
class QuotaHarness {
  readonly tree = new DataTree();
  readonly warnings: string[] = [];
  readonly prep: Prep;
  zxid = E;
  time = 1_000_000;

  constructor(enforceQuota: boolean) {
    this.prep = new Prep(this.tree, {
      limits: defaultLimits,
      extendedTypesEnabled: true,
      enforceQuota,
      warn: (m) => this.warnings.push(m),
    });
  }

  ctx(sessionId = 0x100n): PrepContext {
    return { sessionId, ids: [], now: this.time, ephemeralAllowed: true };
  }

  propose(prepare: (zxid: number) => TxnBody): { zxid: number; body: TxnBody } {
    const zxid = this.zxid + 1;
    const body = prepare(zxid);
    this.zxid = zxid;
    return { zxid, body };
  }

  apply(p: { zxid: number; body: TxnBody }, sessionId = 0x100n): ApplyOutcome {
    this.time += 10;
    const body = p.body;
    const out = this.tree.apply({
      zxid: BigInt(p.zxid),
      sessionId,
      cxid: 0,
      origin: 0,
      originRef: 0,
      time: BigInt(this.time),
      body,
    });
    this.prep.committed(p.zxid);
    return out;
  }

  create(path: string, data = "", mode = 0, sessionId = 0x100n): ApplyOutcome {
    return this.apply(
      this.propose((z) => this.prep.create(createReq(path, mode, { data }), this.ctx(sessionId), z)),
      sessionId,
    );
  }

  set(path: string, data: string, version?: number): ApplyOutcome {
    return this.apply(
      this.propose((z) => this.prep.setData({ path, data: Buffer.from(data), version }, this.ctx(), z)),
    );
  }

  delete(path: string): ApplyOutcome {
    return this.apply(this.propose((z) => this.prep.delete({ path }, this.ctx(), z)));
  }

  /** What zkCli's setquota writes, as a client (the server's part is the stats). */
  setquota(path: string, limits: string): void {
    this.create(`/zookeeper/quota${path}`);
    this.create(`/zookeeper/quota${path}/zookeeper_limits`, limits);
    this.create(`/zookeeper/quota${path}/zookeeper_stats`, "count=0,bytes=0");
  }

  stats(path: string): string {
    return this.tree.getData(`/zookeeper/quota${path}/zookeeper_stats`, []).data.toString();
  }

  error(prepare: (zxid: number) => unknown): PaddockError {
    try {
      prepare(this.zxid + 1);
    } catch (e) {
      return e as PaddockError;
    }
    throw new Error("prep did not throw");
  }
}

const hard = (n: number) => `count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=${n}`;
const hardBytes = (n: number) => `count=-1,bytes=-1=;byteHardLimit=${n};countHardLimit=-1`;
const soft = (n: number) => `count=${n},bytes=-1=;byteHardLimit=-1;countHardLimit=-1`;

describe("StatsTrack text (ZooKeeper's format)", () => {
  it("formats count and bytes first, then the other keys sorted after an extra '='", () => {
    expect(formatStatsTrack(parseStatsTrack(hard(2)))).toBe(hard(2));
    expect(
      formatStatsTrack(
        new Map([
          ["bytes", 5n],
          ["count", 3n],
        ]),
      ),
    ).toBe("count=3,bytes=5");
    expect(
      formatStatsTrack(
        new Map([
          ["zeta", 1n],
          ["alpha", 2n],
        ]),
      ),
    ).toBe("count=-1,bytes=-1=;alpha=2;zeta=1");
    expect(formatStatsTrack(new Map())).toBe("count=-1,bytes=-1");
  });

  it("parses , and ; runs; an empty value reads -1; junk pairs are skipped rather than failing", () => {
    expect([...parseStatsTrack("count=1;;bytes=2,,x=3")]).toEqual([
      ["count", 1n],
      ["bytes", 2n],
      ["x", 3n],
    ]);
    expect(parseStatsTrack("count==7").get("count")).toBe(-1n);
    expect([...parseStatsTrack("garbage,count=x,=5,bytes=9")]).toEqual([["bytes", 9n]]);
    expect(parseStatsTrack("bytes=9223372036854775807").get("bytes")).toBe(9223372036854775807n);
    expect(parseStatsTrack("bytes=9223372036854775808").has("bytes")).toBe(false);
  });
});

describe("quota stats, kept while applying (as ZooKeeper's DataTree)", () => {
  it("the stats node counts the quota'd node itself and its subtree's data bytes", () => {
    const h = new QuotaHarness(false);
    h.create("/q");
    h.create("/q/pre", "abc");
    h.setquota("/q", hard(2));
    // Created as "count=0,bytes=0" by the client; the server recounts what is there.
    expect(h.stats("/q")).toBe("count=2,bytes=3");
    const before = h.tree.getData("/zookeeper/quota/q/zookeeper_stats", []).stat;
    h.create("/q/a", "hello");
    h.create("/q/a/deep", "xy");
    expect(h.stats("/q")).toBe("count=4,bytes=10");
    h.set("/q/a", "longer-data");
    expect(h.stats("/q")).toBe("count=4,bytes=16");
    h.delete("/q/a/deep");
    expect(h.stats("/q")).toBe("count=3,bytes=14");
    h.delete("/q/pre");
    h.delete("/q/a");
    h.delete("/q");
    expect(h.stats("/q")).toBe("count=0,bytes=0");
    h.create("/q", "r");
    expect(h.stats("/q")).toBe("count=1,bytes=1");
    // Rewritten in place: version and mzxid stay, only the data (and its length) change.
    const after = h.tree.getData("/zookeeper/quota/q/zookeeper_stats", []).stat;
    expect(after).toEqual({ ...before, dataLength: after?.dataLength });
    // Paths outside the quota, and siblings sharing a prefix, count nowhere.
    h.create("/qq", "zzzz");
    h.create("/other", "zzzz");
    expect(h.stats("/q")).toBe("count=1,bytes=1");
  });

  it("fires no watch on the stats node", () => {
    const h = new QuotaHarness(false);
    h.create("/q");
    h.setquota("/q", hard(5));
    const out = h.create("/q/a", "x");
    expect(out.triggers.map((t) => t.path)).toEqual(["/q/a", "/q"]);
  });

  it("the deepest quota'd ancestor counts (nested quotas, which zkCli refuses, as ZooKeeper's trie)", () => {
    const h = new QuotaHarness(false);
    h.create("/a");
    h.create("/a/b");
    h.setquota("/a", soft(10));
    h.setquota("/a/b", soft(10));
    h.create("/a/b/c", "123");
    h.create("/a/x", "1");
    expect(h.stats("/a/b")).toBe("count=2,bytes=3");
    expect(h.stats("/a")).toBe("count=3,bytes=1");
  });

  it("deleting the limits node ends the quota; the stats node then stays as it was", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", hard(1));
    h.delete("/zookeeper/quota/q/zookeeper_limits");
    expect(h.tree.quota.size).toBe(0);
    expect(h.create("/q/a").code).toBe(Code.OK);
    expect(h.stats("/q")).toBe("count=1,bytes=0");
  });

  it("a closed session's ephemerals leave the stats", () => {
    const h = new QuotaHarness(false);
    h.create("/q");
    h.setquota("/q", soft(10));
    h.create("/q/e1", "abc", 1, 7n);
    h.create("/q/e2", "d", 1, 7n);
    expect(h.stats("/q")).toBe("count=3,bytes=4");
    h.apply(
      h.propose((z) => h.prep.closeSession(7n, z)),
      7n,
    );
    expect(h.stats("/q")).toBe("count=1,bytes=0");
  });

  it("a quota on / (a limits node right under /zookeeper/quota) counts nothing", () => {
    const h = new QuotaHarness(true);
    h.create("/zookeeper/quota/zookeeper_limits", hard(1));
    h.create("/zookeeper/quota/zookeeper_stats", "count=0,bytes=0");
    expect(h.create("/a").code).toBe(Code.OK);
    expect(h.create("/b").code).toBe(Code.OK);
    expect(h.tree.getData("/zookeeper/quota/zookeeper_stats", []).data.toString()).toBe("count=0,bytes=0");
  });

  it("a restored snapshot keeps the stats and finds the quotas again; the digest matches", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", hard(3));
    h.create("/q/a", "12345");
    const restored = DataTree.restore(h.tree.snapshotAcls(), h.tree.snapshotNodes(), h.zxid);
    restored.finishReplay();
    expect(restored.digest).toBe(h.tree.digest);
    expect(restored.quota.rootOf("/q/a/b")).toBe("/q");
    // Both go on alike from the same transactions.
    const next = h.propose((z) => h.prep.create(createReq("/q/b", 0, { data: "x" }), h.ctx(), z));
    const txn = {
      zxid: BigInt(next.zxid),
      sessionId: 0x100n,
      cxid: 0,
      origin: 0,
      originRef: 0,
      time: 5n,
      body: next.body,
    };
    h.tree.apply(txn);
    restored.apply(txn);
    expect(restored.getData("/zookeeper/quota/q/zookeeper_stats", []).data.toString()).toBe(
      "count=3,bytes=6",
    );
    expect(restored.digest).toBe(h.tree.digest);
  });
});

describe("quota checks in prep (ZooKeeper's checkQuota)", () => {
  it("enforceQuota off: a write past a hard limit succeeds and is logged", () => {
    const h = new QuotaHarness(false);
    h.create("/q");
    h.setquota("/q", hard(2));
    h.create("/q/a");
    expect(h.warnings).toEqual([]);
    expect(h.create("/q/b").code).toBe(Code.OK);
    expect(h.stats("/q")).toBe("count=3,bytes=0");
    expect(h.warnings).toEqual([
      "Quota exceeded: /q [current count=3, hardCountLimit=2] (not enforced: enforceQuota=false)",
    ]);
  });

  it("enforceQuota on: past a hard count limit QuotaExceeded, naming the request's path; nothing changes", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", hard(2));
    h.create("/q/a");
    const e = h.error((z) => h.prep.create(createReq("/q/s-", 2), h.ctx(), z));
    expect(e.code).toBe(Code.QuotaExceeded);
    expect(e.path).toBe("/q/s-");
    expect(e.message).toBe(
      "QuotaExceeded for /q/s-: the quota on /q allows 2 nodes (hardCountLimit), this write makes 3",
    );
    expect(h.warnings).toEqual(["Quota exceeded: /q [current count=3, hardCountLimit=2]"]);
    // Refused before the sequence number was taken.
    expect(h.tree.node("/q")?.childCreates).toBe(1);
    expect(h.stats("/q")).toBe("count=2,bytes=0");
  });

  it("errors ZooKeeper checks first win: NodeExists, NoNode, then the quota", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", hard(2));
    h.create("/q/a");
    expect(h.error((z) => h.prep.create(createReq("/q/a"), h.ctx(), z)).code).toBe(Code.NodeExists);
    expect(h.error((z) => h.prep.create(createReq("/q/x/y"), h.ctx(), z)).code).toBe(Code.NoNode);
  });

  it("a soft limit only logs, with enforcement on too; with both set only the hard one counts", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", soft(1));
    expect(h.create("/q/a").code).toBe(Code.OK);
    expect(h.warnings).toEqual(["Quota exceeded: /q [current count=2, softCountLimit=1]"]);
    h.set("/zookeeper/quota/q/zookeeper_limits", "count=1,bytes=-1=;byteHardLimit=-1;countHardLimit=5");
    h.time += 5000;
    expect(h.create("/q/b").code).toBe(Code.OK);
    expect(h.warnings).toHaveLength(1);
  });

  it("bytes: setData is checked by the change in size, before the version; shrinking still over a hard limit is refused", () => {
    const h = new QuotaHarness(true);
    h.create("/t", "0123456789");
    h.setquota("/t", hardBytes(5));
    const set = (data: string, version?: number) =>
      h.error((z) => h.prep.setData({ path: "/t", data: Buffer.from(data), version }, h.ctx(), z));
    // ZooKeeper 3.8 refuses 10 → 8 bytes under a 5-byte hard limit: the result is still over it.
    expect(set("01234567").code).toBe(Code.QuotaExceeded);
    expect(set("0123456789ab", 42).code).toBe(Code.QuotaExceeded);
    // Same size: no byte change, no check (then the version decides).
    expect(set("abcdefghij", 42).code).toBe(Code.BadVersion);
    // An empty create adds no bytes: not checked.
    expect(h.create("/t/e").code).toBe(Code.OK);
    expect(h.error((z) => h.prep.create(createReq("/t/f", 0, { data: "x" }), h.ctx(), z)).code).toBe(
      Code.QuotaExceeded,
    );
  });

  it("writes proposed and not yet applied count: in-flight creates cannot overshoot a hard limit", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", hard(3));
    const a = h.propose((z) => h.prep.create(createReq("/q/a"), h.ctx(), z));
    const b = h.propose((z) => h.prep.create(createReq("/q/b"), h.ctx(), z));
    // ZooKeeper's check reads applied state only and would let this one through too.
    expect(h.error((z) => h.prep.create(createReq("/q/c"), h.ctx(), z)).code).toBe(Code.QuotaExceeded);
    // A delete in flight makes room for a create after it.
    h.apply(a);
    h.apply(b);
    const d = h.propose((z) => h.prep.delete({ path: "/q/a" }, h.ctx(), z));
    const c = h.propose((z) => h.prep.create(createReq("/q/c"), h.ctx(), z));
    h.apply(d);
    h.apply(c);
    expect(h.stats("/q")).toBe("count=3,bytes=0");
  });

  it("a multi counts its own earlier ops, and a failed multi takes its counts back", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", hard(3));
    const op = (path: string): Op => ({ op: { $case: "create", value: createReq(path) } });
    const failed = h.propose((z) => h.prep.multi({ ops: [op("/q/a"), op("/q/b"), op("/q/c")] }, h.ctx(), z));
    expect(h.apply(failed).code).toBe(Code.QuotaExceeded);
    const ok = h.propose((z) => h.prep.multi({ ops: [op("/q/a"), op("/q/b")] }, h.ctx(), z));
    expect(h.apply(ok).code).toBe(Code.OK);
    expect(h.stats("/q")).toBe("count=3,bytes=0");
  });

  it("leadership lost: prep forgets what was in flight", () => {
    const h = new QuotaHarness(true);
    h.create("/q");
    h.setquota("/q", hard(2));
    h.propose((z) => h.prep.create(createReq("/q/a"), h.ctx(), z));
    h.prep.reset();
    expect(h.create("/q/b").code).toBe(Code.OK);
  });

  it("the log line for one quota and limit is written at most once a second, then says how many it held back", () => {
    const h = new QuotaHarness(false);
    h.create("/q");
    h.setquota("/q", soft(1));
    for (let i = 0; i < 5; i++) h.create(`/q/n${i}`);
    expect(h.warnings).toEqual(["Quota exceeded: /q [current count=2, softCountLimit=1]"]);
    h.time += 1000;
    h.create("/q/late");
    expect(h.warnings[1]).toBe(
      "Quota exceeded: /q [current count=7, softCountLimit=1] (and 4 more since the last)",
    );
  });

  it("no quota anywhere: nothing is tracked", () => {
    const h = new QuotaHarness(true);
    h.create("/a", "x");
    h.set("/a", "yy");
    h.delete("/a");
    expect(h.tree.quota.size).toBe(0);
    expect(h.warnings).toEqual([]);
  });
});
