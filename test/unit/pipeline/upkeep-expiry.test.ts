import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import { LocalSessions } from "../../../server/pipeline/local-sessions.js";
import type { Proposer } from "../../../server/pipeline/proposer.js";
import { expiriesPerRunMax, SessionUpkeep } from "../../../server/pipeline/upkeep.js";
import type { Replica } from "../../../server/replica/replica.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { defaultLimits } from "../../../server/util/limits.js";

// The leader's expiry after a failover: deadlines staggered, and closes proposed at most
// expiriesPerRunMax per half tick. The real SessionTable and SessionUpkeep on a virtual clock; the
// proposer only records what it is asked to propose (the pipeline tests cover the rest).

const TICK_MS = 2000;
const TIMEOUT_MS = 20_000;

function leader(sessionCount: number) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const sessions = new SessionTable({
    tickMs: TICK_MS,
    minTimeoutMs: 1,
    maxTimeoutMs: 60_000,
    sessionsMax: 1e6,
  });
  for (let i = 1; i <= sessionCount; i++) sessions.add(BigInt(i) * 7919n, TIMEOUT_MS, new Uint8Array(16), 0);
  const proposed: { at: number; sessionId: bigint }[] = [];
  const proposer = {
    propose: (sessionId: bigint) => {
      proposed.push({ at: scheduler.now(), sessionId });
      return proposed.length;
    },
  } as unknown as Proposer;
  const tree = new DataTree();
  const upkeep = new SessionUpkeep({
    member: { leading: true, serving: true, storageFailure: undefined },
    sessions,
    tree,
    prep: new Prep(tree, { limits: defaultLimits, extendedTypesEnabled: false }),
    replica: undefined as unknown as Replica,
    proposer,
    local: new LocalSessions(),
    localSessions: undefined,
    clock: () => scheduler.now(),
    log: () => {},
    sessionsMax: 1e6,
    tracer: undefined,
    tracing: undefined,
  });
  return { scheduler, sessions, upkeep, proposed };
}

describe("a new leader's session expiry", () => {
  it("moves every deadline out by its timeout plus a per-session share of half of it, never less", () => {
    const { sessions, upkeep } = leader(2000);
    upkeep.restartSessionTimeouts();
    // Nothing expires before the full timeout from the takeover (t = 0).
    expect(sessions.expire(TIMEOUT_MS - 1)).toEqual([]);
    // Without the stagger all 2000 would expire at one bucket (4000 ms); with it they spread over
    // the buckets up to 1.5 timeouts, none after.
    const perBucket: number[] = [];
    for (let t = TIMEOUT_MS; t <= TIMEOUT_MS * 1.5 + TICK_MS; t += TICK_MS)
      perBucket.push(sessions.expire(t).length);
    expect(perBucket.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(Math.max(...perBucket)).toBeLessThan(2000 / 3);
    expect(perBucket.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it("proposes at most expiriesPerRunMax closes per half tick, the rest at the next ones, each once", async () => {
    const count = expiriesPerRunMax * 2 + 500;
    const { scheduler, upkeep, proposed } = leader(count);
    upkeep.start(scheduler, TICK_MS, 60_000);
    scheduler.maxFrames = TIMEOUT_MS * 3;
    scheduler.flush();
    const perRun = new Map<number, number>();
    for (const p of proposed) perRun.set(p.at, (perRun.get(p.at) ?? 0) + 1);
    expect(Math.max(...perRun.values())).toBe(expiriesPerRunMax);
    expect(new Set(proposed.map((p) => p.sessionId)).size).toBe(count);
    expect(proposed.length).toBe(count);
  });
});
