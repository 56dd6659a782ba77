import type { Prng } from "../../server/util/prng.js";
import type { Member } from "./member.js";
import type { ClientPlant } from "./zk-clients.js";

export interface SimOptions {
  readonly seed: number;
  readonly voters: number;
  readonly observers: number;
  readonly ticks: number;
  /** Per-message drop probability in thousandths. */
  readonly dropPerMille: number;
  readonly delayTicksMax: number;
  readonly faults: boolean;
  /**
   * Membership changes (reconfig-driver.ts): this many spare members start as joiners, and the
   * leader proposes reconfigs under the faults. Absent: a fixed membership, as before.
   */
  readonly spares?: number;
  /** A bug planted in the driver, to show the checkers catch it (tests only). */
  readonly plant?: DriverPlant | ClientPlant;
}

type DriverPlant = "skip-trunc" | "apply-reversed" | "local-time" | "history-gap" | "config-from-pending";
const DRIVER_PLANTS: readonly string[] = [
  "skip-trunc",
  "apply-reversed",
  "local-time",
  "history-gap",
  "config-from-pending",
] satisfies DriverPlant[];

/** The plant the register clients carry (zk-clients.ts), if the run's plant is theirs. */
export function clientPlantOf(plant: SimOptions["plant"]): ClientPlant | undefined {
  return plant === undefined || DRIVER_PLANTS.includes(plant) ? undefined : (plant as ClientPlant);
}

/** The faulty configuration the seeded tests run (drops, delays, partitions, crashes). */
export const faultyRun = { ticks: 400, dropPerMille: 5, delayTicksMax: 3, faults: true } as const;

/** What the run exercised, so a test can show the faults happened. */
export function newStats() {
  return {
    snap: 0,
    trunc: 0,
    diff: 0,
    /** DIFFs that reached below the leader's in-memory log into its history. */
    diffFromHistory: 0,
    other: 0,
    crashes: 0,
    /** Leader power losses while its most up-to-date follower was partitioned. */
    leaderPowerLosses: 0,
    /** Partitions that cut off more than one member. */
    groupPartitions: 0,
    /** fsyncs that took 10 ticks or more. */
    slowSyncs: 0,
    streamsBroken: 0,
    sessionsClosed: 0,
    ephemeralsGone: 0,
  };
}

export type SimStats = ReturnType<typeof newStats>;

/**
 * What the simulator's parts share. One generator for the network, the faults and the disk: a
 * seed replays only if they draw from it in the same order, so no part gets its own.
 */
export interface SimContext {
  readonly options: SimOptions;
  readonly rng: Prng;
  readonly stats: SimStats;
  readonly members: ReadonlyMap<number, Member>;
  /** The current tick. */
  now(): number;
  /** Throws with the seed and tick in the message. */
  fail(message: string): never;
}
