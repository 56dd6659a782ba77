import { describe, expect, it } from "vitest";
import { passwordMatches } from "../../../server/sessions/password-matches.js";
import { SessionIdGenerator } from "../../../server/sessions/session-id-generator.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

/** ZooKeeper's initializeNextSessionId, on 64-bit two's complement: (id << 56) | ((now << 24) >>> 8). */
function zookeeperInitial(serverId: number, nowMs: number): bigint {
  const shifted = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  return BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
}

describe("SessionIdGenerator (ZooKeeper's SessionTrackerImpl layout)", () => {
  it("puts the server id in the top byte, the clock's low 40 bits below it and a 16-bit counter", () => {
    const now = 0x12_3456_789a; // 40 bits
    const gen = new SessionIdGenerator(3, now);
    expect(gen.next()).toBe(0x0312_3456_789a_0000n);
    expect(gen.next()).toBe(0x0312_3456_789a_0001n);
    expect(gen.next()).toBe(0x0312_3456_789a_0002n);
  });

  it.each([
    [1, 1_700_000_000_123],
    [7, 1_234],
    [200, 1_700_000_000_123],
    [254, 2 ** 45 + 17], // bits above 40 are dropped, as by Java's << 24
  ])("server %d at %d matches ZooKeeper's formula", (serverId, now) => {
    const gen = new SessionIdGenerator(serverId, now);
    const first = gen.next();
    expect(first).toBe(zookeeperInitial(serverId, now));
    expect(gen.next()).toBe(first + 1n);
    expect(BigInt.asUintN(64, first) >> 56n).toBe(BigInt(serverId));
  });

  it("gives negative ids (signed int64) for server ids of 128 and up", () => {
    const id = new SessionIdGenerator(200, 1000).next();
    expect(id < 0n).toBe(true);
    expect(id).toBe(BigInt.asIntN(64, id));
  });

  it("never hands out 0 (no owner) or 0x8000000000000000 (container owner)", () => {
    expect(new SessionIdGenerator(0, 0).next()).toBe(1n);
    const container = -(1n << 63n);
    const gen = new SessionIdGenerator(128, 0);
    expect(gen.next()).toBe(container + 1n);
    expect(gen.next()).toBe(container + 2n);
  });

  it("ids are unique within a server and across servers started at the same instant", () => {
    const seen = new Set<bigint>();
    for (const serverId of [1, 2, 3]) {
      const gen = new SessionIdGenerator(serverId, 1_700_000_000_000);
      for (let i = 0; i < 10_000; i++) seen.add(gen.next());
    }
    expect(seen.size).toBe(30_000);
  });

  it("a restart a millisecond later does not reuse ids below 65536 sessions", () => {
    const before = new SessionIdGenerator(1, 5000);
    const ids = new Set<bigint>();
    for (let i = 0; i < 65_536; i++) ids.add(before.next());
    const after = new SessionIdGenerator(1, 5001);
    expect(ids.has(after.next())).toBe(false);
  });

  it.each([-1, 255, 256, 1.5])("rejects server id %d (0xFF is the TTL-owner byte)", (serverId) => {
    let error: unknown;
    try {
      new SessionIdGenerator(serverId, 0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe(Code.BadArguments);
  });
});

describe("passwordMatches", () => {
  it("is true only for equal bytes of equal length", () => {
    expect(passwordMatches(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(passwordMatches(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(passwordMatches(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(passwordMatches(Uint8Array.of(9, 2, 3), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(passwordMatches(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(passwordMatches(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(false);
  });
});
