import type { Prng } from "../../server/util/prng.js";
import type { Ensemble, LinkFault } from "../support/ensemble.js";

/**
 * The nemesis: faults between real processes, chosen and timed from a seeded generator. Each fault
 * injects, holds for a drawn time, and heals; it returns what it did (printed with the seed). Hold
 * times are the fault's schedule, never synchronisation: the round waits for a leader afterwards.
 */
export type FaultName = "kill" | "pause" | "isolate-leader" | "split" | "delay" | "slow-disk" | "power-cut";

export interface NemesisContext {
  readonly ensemble: Ensemble;
  readonly prng: Prng;
  /** tickTime × syncLimit of the ensemble: a pause or partition longer than this costs the leader. */
  readonly syncLimitMs: number;
  /** Members whose next start gets a slow disk (the ensemble's env callback reads it). */
  readonly slowDisk: Set<number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const pick = <T>(prng: Prng, items: readonly T[]): T => items[prng.below(items.length)]!;

const ids = (ctx: NemesisContext): number[] => ctx.ensemble.members.map((m) => m.id);

async function leader(ctx: NemesisContext): Promise<number> {
  return ctx.ensemble.waitForLeader({ timeoutMs: 30_000 });
}

/** The leader half the time, else any member. */
async function target(ctx: NemesisContext): Promise<number> {
  return ctx.prng.below(2) === 0 ? leader(ctx) : pick(ctx.prng, ids(ctx));
}

/** Faults every link between the two groups, both directions. */
function between(ctx: NemesisContext, a: number[], b: number[], fault: LinkFault): void {
  for (const x of a) {
    for (const y of b) {
      ctx.ensemble.link(x, y, fault);
      ctx.ensemble.link(y, x, fault);
    }
  }
}

function healAll(ctx: NemesisContext): void {
  const all = ids(ctx);
  for (const x of all) for (const y of all) if (x !== y) ctx.ensemble.link(x, y, "none");
}

const linkMode = (prng: Prng): "drop" | "blackhole" => (prng.below(2) === 0 ? "drop" : "blackhole");

export const faults: Record<FaultName, (ctx: NemesisContext) => Promise<string>> = {
  async kill(ctx) {
    const id = await target(ctx);
    const downMs = 200 + ctx.prng.below(2000);
    await ctx.ensemble.kill(id);
    await sleep(downMs);
    await ctx.ensemble.restart(id);
    return `kill -9 member ${id}, restart after ${downMs} ms`;
  },
  async pause(ctx) {
    const id = await target(ctx);
    const holdMs = ctx.syncLimitMs + 300 + ctx.prng.below(1500);
    ctx.ensemble.pause(id);
    await sleep(holdMs);
    ctx.ensemble.resume(id);
    return `SIGSTOP member ${id} for ${holdMs} ms, SIGCONT`;
  },
  async "isolate-leader"(ctx) {
    const id = await leader(ctx);
    const mode = linkMode(ctx.prng);
    const holdMs = ctx.syncLimitMs + 500 + ctx.prng.below(2000);
    between(
      ctx,
      [id],
      ids(ctx).filter((x) => x !== id),
      mode,
    );
    await sleep(holdMs);
    healAll(ctx);
    return `isolate leader ${id} (${mode}) for ${holdMs} ms`;
  },
  async split(ctx) {
    const all = ids(ctx);
    const lead = await leader(ctx);
    // A minority holding the leader half the time, else a minority without it.
    const minoritySize = Math.floor((all.length - 1) / 2);
    const rest = all.filter((x) => x !== lead);
    const withLeader = ctx.prng.below(2) === 0;
    const minority: number[] = withLeader ? [lead] : [];
    while (minority.length < minoritySize) {
      const candidates = rest.filter((x) => !minority.includes(x));
      minority.push(pick(ctx.prng, candidates));
    }
    const majority = all.filter((x) => !minority.includes(x));
    const mode = linkMode(ctx.prng);
    const holdMs = ctx.syncLimitMs + 500 + ctx.prng.below(2000);
    between(ctx, minority, majority, mode);
    await sleep(holdMs);
    healAll(ctx);
    return `split {${minority.join(",")}} | {${majority.join(",")}} (${mode}, leader ${lead}) for ${holdMs} ms`;
  },
  async delay(ctx) {
    const id = await target(ctx);
    const delayMs = 20 + ctx.prng.below(ctx.syncLimitMs);
    const holdMs = 1500 + ctx.prng.below(2000);
    between(
      ctx,
      [id],
      ids(ctx).filter((x) => x !== id),
      { delayMs },
    );
    await sleep(holdMs);
    healAll(ctx);
    return `delay member ${id}'s links by ${delayMs} ms for ${holdMs} ms`;
  },
  async "slow-disk"(ctx) {
    const id = await target(ctx);
    const holdMs = 2000 + ctx.prng.below(2000);
    ctx.slowDisk.add(id);
    await ctx.ensemble.kill(id);
    await ctx.ensemble.restart(id);
    await sleep(holdMs);
    ctx.slowDisk.delete(id);
    await ctx.ensemble.kill(id);
    await ctx.ensemble.restart(id);
    return `member ${id} on a slow disk (fsync delayed) for ${holdMs} ms, kill -9 around it`;
  },
  async "power-cut"(ctx) {
    const all = ids(ctx);
    await Promise.all(all.map((id) => ctx.ensemble.kill(id)));
    await Promise.all(all.map((id) => ctx.ensemble.restart(id)));
    return "power cut: kill -9 every member at once (unsynced log writes lost), restart all";
  },
};

export const faultNames = Object.keys(faults) as FaultName[];
