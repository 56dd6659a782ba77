import { describe, expect, it } from "vitest";
import { ConnectThrottle } from "../../../server/pipeline/connect-throttle.js";

describe("the connection throttle's token bucket", () => {
  it("starts full, refuses when empty, refills fill_count per whole fill_time up to its size", () => {
    let now = 1000;
    const t = new ConnectThrottle({ tokens: 3, fillTimeMs: 100, fillCount: 2 }, () => now);
    expect([t.take(), t.take(), t.take(), t.take()]).toEqual([true, true, true, false]);
    now += 99; // not a whole step yet
    expect(t.take()).toBe(false);
    now += 1; // one step: two tokens
    expect([t.take(), t.take(), t.take()]).toEqual([true, true, false]);
    now += 10_000; // a long pause fills to the size, not beyond
    expect([t.take(), t.take(), t.take(), t.take()]).toEqual([true, true, true, false]);
    expect(t.refused).toBe(4);
  });

  it("the partial step carries over: time between steps is not lost", () => {
    let now = 0;
    const t = new ConnectThrottle({ tokens: 1, fillTimeMs: 100, fillCount: 1 }, () => now);
    expect(t.take()).toBe(true);
    now = 150;
    expect(t.take()).toBe(true); // one step at 100
    now = 199;
    expect(t.take()).toBe(false);
    now = 200; // the step at 200 counts from 100, not from 150
    expect(t.take()).toBe(true);
  });

  it("0 tokens: no throttle", () => {
    const t = new ConnectThrottle({ tokens: 0, fillTimeMs: 1, fillCount: 1 }, () => 0);
    for (let i = 0; i < 1000; i++) expect(t.take()).toBe(true);
    expect(t.refused).toBe(0);
  });
});
