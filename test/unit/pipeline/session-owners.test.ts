import { describe, expect, it } from "vitest";
import { SessionOwners } from "../../../server/pipeline/session-owners.js";

describe("SessionOwners (the leader's session owners, as ZooKeeper's checkSession)", () => {
  it("the first member to ask takes an unowned session; others are refused until it moves", () => {
    const owners = new SessionOwners();
    expect(owners.claim(7n, 2)).toBe(true);
    expect(owners.claim(7n, 2)).toBe(true);
    expect(owners.claim(7n, 3)).toBe(false);
    owners.set(7n, 3);
    expect([owners.claim(7n, 2), owners.claim(7n, 3)]).toEqual([false, true]);
    expect(owners.size).toBe(1);
  });

  it("forgets a closed session, and everything when leading ends", () => {
    const owners = new SessionOwners();
    owners.set(1n, 1);
    owners.set(2n, 2);
    owners.delete(1n);
    expect(owners.size).toBe(1);
    expect(owners.claim(1n, 3)).toBe(true);
    owners.clear();
    expect(owners.size).toBe(0);
    expect(owners.claim(2n, 3)).toBe(true);
  });
});
