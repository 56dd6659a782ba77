import { collectGarbage } from "../admin/heap-command.js";
import { ConfigError } from "./config-error.js";
import type { Log } from "./server.js";

/**
 * The idle collection (Paddock's own): once no client work (no write applied, no read answered;
 * pings do not count) has happened for a while and the process has grown since the last one, full GCs give a write burst's garbage back to the OS. V8's own
 * memory reducer does this only once it judges the allocation rate low, which took 42 s to never
 * (within 90 s) after a load burst here (BENCHMARKS.md, memory).
 */
export interface IdleGcConfig {
  /** paddock.idleGcAfterMs: milliseconds without client work before collecting; 0 turns it off. */
  afterMs: number;
  /** paddock.idleGcGrowthBytesMin: RSS growth since the last idle collection that makes one worth it. */
  growthBytesMin: number;
}

export function defaultIdleGcConfig(): IdleGcConfig {
  return { afterMs: 10_000, growthBytesMin: 32 * 1024 * 1024 };
}

function wholeNumber(key: string, value: string, min: number, max: number): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max))
    throw new ConfigError(`zoo.cfg: ${key}=${value} must be a decimal integer from ${min} to ${max}`);
  return n;
}

/** Applies one idle-collection key; false when the key is not one of them. */
export function applyIdleGcKey(idle: IdleGcConfig, key: string, value: string): boolean {
  switch (key) {
    case "paddock.idleGcAfterMs":
      idle.afterMs = wholeNumber(key, value, 0, 86_400_000);
      return true;
    case "paddock.idleGcGrowthBytesMin":
      idle.growthBytesMin = wholeNumber(key, value, 0, Number.MAX_SAFE_INTEGER);
      return true;
    default:
      return false;
  }
}

/**
 * When to collect, from samples (no clock or memory reads of its own): after `afterMs` with the
 * same activity figure, if RSS grew by `growthBytesMin` since the last collection (or since start).
 */
export class IdleGcPolicy {
  private activity: number | undefined;
  private since = 0;
  private baseline: number | undefined;

  constructor(private readonly config: IdleGcConfig) {}

  /** True when a collection is due now; `rss` is the resident set size at `nowMs`. */
  due(nowMs: number, activity: number, rss: number): boolean {
    this.baseline ??= rss;
    if (activity !== this.activity) {
      this.activity = activity;
      this.since = nowMs;
      return false;
    }
    return nowMs - this.since >= this.config.afterMs && rss - this.baseline >= this.config.growthBytesMin;
  }

  /** After a collection: growth counts from `rss` now. */
  collected(rss: number): void {
    this.baseline = rss;
  }
}

/**
 * Checks four times per `afterMs` (at least every 250 ms); stop() ends it. A due collection is two
 * full GCs, one check apart (two short pauses rather than one long one): the pages the first
 * empties are mostly given back to the OS only at the next (measured with 100,000 znodes: one
 * collection left 1,154 B/znode of RSS growth, two 610).
 */
export function startIdleGc(config: IdleGcConfig, activity: () => number, log: Log): { stop(): void } {
  if (config.afterMs === 0) return { stop: () => undefined };
  const policy = new IdleGcPolicy(config);
  const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
  /** The collection under way: its activity, the RSS before it, GCs done, their milliseconds, checks since. */
  let run: { activity: number; rssBefore: number; gcs: number; ms: number; checks: number } | undefined;
  const check = (): void => {
    const rss = process.memoryUsage.rss();
    if (run === undefined) {
      const at = activity();
      if (policy.due(performance.now(), at, rss))
        run = { activity: at, rssBefore: rss, gcs: 1, ms: collectGarbage(), checks: 0 };
      return;
    }
    run.checks++;
    // The second GC, unless client work came back meanwhile (the member is no longer idle).
    if (run.checks === 1 && activity() === run.activity) {
      run.ms += collectGarbage();
      run.gcs = 2;
      return;
    }
    // V8 unmaps the freed pages from a background task: the RSS reached is read a check later.
    policy.collected(rss);
    const what = `${run.gcs} full GC${run.gcs === 1 ? "" : "s"}`;
    log(
      "info",
      `idle collection: ${what} in ${run.ms.toFixed(0)} ms, RSS ${mib(run.rssBefore)} -> ${mib(rss)} MiB`,
    );
    run = undefined;
  };
  const timer = setInterval(check, Math.max(250, config.afterMs / 4));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
