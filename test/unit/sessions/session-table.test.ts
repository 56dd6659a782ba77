import { describe, expect, it } from "vitest";
import { SessionTable, type SessionTableOptions } from "../../../server/sessions/session-table.js";
import { AssertionError } from "../../../server/util/assert.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

const pw = new Uint8Array(16);
const options: SessionTableOptions = {
  tickMs: 2000,
  minTimeoutMs: 4000,
  maxTimeoutMs: 40000,
  sessionsMax: 100,
};

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}

describe("SessionTable options", () => {
  it("rejects min > max as ZooKeeper's config check does", () => {
    const e = thrown(() => new SessionTable({ ...options, minTimeoutMs: 5000, maxTimeoutMs: 4000 }));
    expect(e).toBeInstanceOf(PaddockError);
    expect((e as PaddockError).code).toBe(Code.BadArguments);
    expect((e as Error).message).toContain("minTimeoutMs");
  });

  it.each(["tickMs", "minTimeoutMs", "maxTimeoutMs", "sessionsMax"] as const)("rejects a zero %s", (key) => {
    expect((thrown(() => new SessionTable({ ...options, [key]: 0 })) as Error).message).toContain(key);
  });
});

describe("negotiateTimeout (ZooKeeper's processConnectRequest clamp)", () => {
  const table = new SessionTable(options);
  it.each([
    [0, 4000],
    [-5, 4000],
    [3999, 4000],
    [4000, 4000],
    [10000, 10000],
    [40000, 40000],
    [40001, 40000],
    [1e12, 40000],
    [Number.NaN, 4000],
  ])("requested %d → %d", (requested, negotiated) => {
    expect(table.negotiateTimeout(requested)).toBe(negotiated);
  });
});

describe("expiry on a fake clock (ZooKeeper's ExpiryQueue)", () => {
  it("rounds a deadline up to the next multiple of tickTime, strictly after now + timeout", () => {
    const table = new SessionTable(options);
    // 1000 + 4000 = 5000 → 6000; 2000 + 4000 = 6000 is a multiple and still goes to 8000.
    expect(table.add(1n, 4000, pw, 1000).expiresAt).toBe(6000);
    expect(table.add(2n, 4000, pw, 2000).expiresAt).toBe(8000);
    expect(table.add(3n, 4000, pw, 3999).expiresAt).toBe(8000);
    expect(table.nextExpiry()).toBe(6000);
    expect(table.expire(5999)).toEqual([]);
    expect(table.expire(6000)).toEqual([1n]);
    expect(table.nextExpiry()).toBe(8000);
    expect(table.expire(100_000)).toEqual([2n, 3n]);
    expect(table.nextExpiry()).toBeUndefined();
    // Expired sessions stay in the table, closing, until the close transaction removes them.
    expect(table.size).toBe(3);
    expect(table.get(1n)?.closing).toBe(true);
  });

  it("a touch moves the deadline out, and stays in the bucket within the same tick", () => {
    const table = new SessionTable(options);
    table.add(1n, 4000, pw, 0);
    expect(table.get(1n)?.expiresAt).toBe(6000);
    expect(table.touch(1n, 1500)).toBe(true);
    expect(table.get(1n)?.expiresAt).toBe(6000);
    expect(table.touch(1n, 5000)).toBe(true);
    expect(table.get(1n)?.expiresAt).toBe(10000);
    expect(table.expire(6000)).toEqual([]);
    expect(table.nextExpiry()).toBe(10000);
    expect(table.expire(10000)).toEqual([1n]);
  });

  it("heartbeats every tick keep a session alive indefinitely", () => {
    const table = new SessionTable(options);
    table.add(1n, 4000, pw, 0);
    for (let now = 0; now < 200_000; now += 1000) {
      expect(table.expire(now)).toEqual([]);
      expect(table.touch(1n, now)).toBe(true);
    }
    expect(table.expire(200_000 + 6000)).toEqual([1n]);
  });

  it("expires in bucket-time order, then arrival order within a bucket", () => {
    const table = new SessionTable(options);
    table.add(5n, 10000, pw, 0); // 12000
    table.add(4n, 4000, pw, 0); // 6000
    table.add(3n, 4000, pw, 100); // 6000
    table.add(2n, 8000, pw, 0); // 10000
    expect(table.expire(12000)).toEqual([4n, 3n, 2n, 5n]);
  });

  it("does not touch a closing session, and does not expire it (again)", () => {
    const table = new SessionTable(options);
    table.add(1n, 4000, pw, 0);
    table.add(2n, 4000, pw, 0);
    table.setClosing(1n);
    expect(table.touch(1n, 1000)).toBe(false);
    expect(table.expire(6000)).toEqual([2n]);
    expect(table.touch(2n, 7000)).toBe(false);
    expect(table.expire(1_000_000)).toEqual([]);
    expect(table.nextExpiry()).toBeUndefined();
  });

  it("touch of an unknown session is false; remove forgets the session and its deadline", () => {
    const table = new SessionTable(options);
    expect(table.touch(9n, 0)).toBe(false);
    table.add(1n, 4000, pw, 0);
    table.add(2n, 6000, pw, 0);
    table.remove(1n);
    table.remove(1n);
    expect(table.get(1n)).toBeUndefined();
    expect(table.size).toBe(1);
    expect(table.nextExpiry()).toBe(8000);
    expect(table.expire(8000)).toEqual([2n]);
    table.remove(2n);
    expect(table.size).toBe(0);
    expect([...table.entries()]).toEqual([]);
  });

  it("nextExpiry skips buckets that touches emptied", () => {
    const table = new SessionTable(options);
    table.add(1n, 4000, pw, 0);
    table.add(2n, 20000, pw, 0);
    table.touch(1n, 16000); // 6000 → 22000
    expect(table.nextExpiry()).toBe(22000);
    table.touch(1n, 17000); // bucket 22000 stays; no duplicate bucket appears
    expect(table.expire(21999)).toEqual([]);
    expect(table.expire(22000)).toEqual([2n, 1n]);
  });

  it("a session moved back into a bucket time that nextExpiry dropped is still expired", () => {
    const table = new SessionTable({ ...options, minTimeoutMs: 2000 });
    table.add(1n, 10000, pw, 0); // 12000
    table.add(2n, 2000, pw, 0); // 4000
    table.touch(2n, 10000); // 4000 → 14000
    table.remove(1n); // bucket 12000 now empty
    expect(table.nextExpiry()).toBe(14000); // drops 4000 and 12000
    table.add(3n, 2000, pw, 9000); // 12000 again
    expect(table.nextExpiry()).toBe(12000);
    expect(table.expire(13000)).toEqual([3n]);
    expect(table.expire(14000)).toEqual([2n]);
  });

  it("expire visits only the due buckets, not every session (O(expired))", () => {
    const table = new SessionTable({ ...options, sessionsMax: 200_000 });
    const reads = { count: 0 };
    for (let i = 0; i < 100_000; i++) {
      const entry = table.add(BigInt(1000 + i), 40000, pw, 0);
      // Any scan of the table reads these fields; count such reads.
      const { expiresAt, closing } = entry;
      Object.defineProperty(entry, "expiresAt", {
        get: () => {
          reads.count++;
          return expiresAt;
        },
      });
      Object.defineProperty(entry, "closing", {
        get: () => {
          reads.count++;
          return closing;
        },
      });
    }
    table.add(1n, 4000, pw, 0);
    table.add(2n, 4000, pw, 1000);
    expect(table.expire(6000)).toEqual([1n, 2n]);
    expect(table.expire(20000)).toEqual([]);
    expect(table.nextExpiry()).toBe(42000);
    expect(reads.count).toBe(0);
  });
});

describe("add", () => {
  it("throws a PaddockError naming sessionsMax at the limit", () => {
    const table = new SessionTable({ ...options, sessionsMax: 2 });
    table.add(1n, 4000, pw, 0);
    table.add(2n, 4000, pw, 0);
    const e = thrown(() => table.add(3n, 4000, pw, 0));
    expect(e).toBeInstanceOf(PaddockError);
    expect((e as PaddockError).code).toBe(Code.Throttled);
    expect((e as Error).message).toContain("sessionsMax (2)");
    table.remove(1n);
    expect(table.add(3n, 4000, pw, 0).id).toBe(3n);
  });

  it("asserts on a duplicate id", () => {
    const table = new SessionTable(options);
    table.add(-5n, 4000, pw, 0);
    expect(thrown(() => table.add(-5n, 4000, pw, 0))).toBeInstanceOf(AssertionError);
  });

  it("keeps id, timeout and password, and lists entries in arrival order", () => {
    const table = new SessionTable(options);
    const password = Uint8Array.of(1, 2, 3);
    table.add(7n, 5000, password, 0);
    table.add(-(1n << 62n), 4000, pw, 0);
    expect(table.get(7n)).toMatchObject({ id: 7n, timeoutMs: 5000, password, closing: false });
    expect([...table.entries()].map((e) => e.id)).toEqual([7n, -(1n << 62n)]);
  });
});

describe("SessionTable.restartAll (a new leader takes over expiry)", () => {
  it("gives every session, closing ones too, a fresh timeout from now", () => {
    const table = new SessionTable(options);
    table.add(1n, 4000, pw, 0);
    table.add(2n, 4000, pw, 0);
    expect(table.expire(10_000)).toEqual([1n, 2n]);
    expect(table.get(1n)?.closing).toBe(true);
    table.restartAll(20_000);
    expect(table.get(1n)?.closing).toBe(false);
    expect(table.expire(25_999)).toEqual([]);
    expect(table.expire(26_000)).toEqual([1n, 2n]);
  });
});
