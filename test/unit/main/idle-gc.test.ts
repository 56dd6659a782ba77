import { describe, expect, it } from "vitest";
import { applyKey, defaultConfig } from "../../../server/main/config.js";
import { IdleGcPolicy } from "../../../server/main/idle-gc.js";

const MiB = 2 ** 20;
const config = { afterMs: 10_000, growthBytesMin: 32 * MiB };

describe("the idle collection's policy", () => {
  it("collects once the zxid has stood still for afterMs and RSS grew by growthBytesMin", () => {
    const p = new IdleGcPolicy(config);
    expect(p.due(0, 1, 100 * MiB)).toBe(false); // first sample: the baseline
    expect(p.due(1_000, 500, 200 * MiB)).toBe(false); // writes applied: not idle
    expect(p.due(10_999, 500, 200 * MiB)).toBe(false); // 9.999 s idle
    expect(p.due(11_000, 500, 200 * MiB)).toBe(true);
    p.collected(120 * MiB);
    // Collected: not again until the process grows by growthBytesMin more.
    expect(p.due(20_000, 500, 151 * MiB)).toBe(false);
    expect(p.due(20_001, 500, 152 * MiB)).toBe(true);
  });

  it("does not collect while writes keep coming, nor after a burst too small to matter", () => {
    const p = new IdleGcPolicy(config);
    p.due(0, 1, 100 * MiB);
    for (let t = 1_000; t < 60_000; t += 1_000) expect(p.due(t, t, 300 * MiB)).toBe(false);
    const small = new IdleGcPolicy(config);
    small.due(0, 1, 100 * MiB);
    small.due(1_000, 2, 131 * MiB);
    expect(small.due(60_000, 2, 131 * MiB)).toBe(false);
  });

  it("takes its keys from zoo.cfg, 0 turning it off, and names a bad value", () => {
    const c = defaultConfig();
    expect(c.idleGc).toEqual({ afterMs: 10_000, growthBytesMin: 32 * MiB });
    const warn = (): void => {
      throw new Error("warned");
    };
    applyKey(c, "paddock.idleGcAfterMs", "0", "/", warn);
    applyKey(c, "paddock.idleGcGrowthBytesMin", "1048576", "/", warn);
    expect(c.idleGc).toEqual({ afterMs: 0, growthBytesMin: MiB });
    expect(() => applyKey(c, "paddock.idleGcAfterMs", "-1", "/", warn)).toThrow(
      "zoo.cfg: paddock.idleGcAfterMs=-1 must be a decimal integer from 0 to 86400000",
    );
  });
});
