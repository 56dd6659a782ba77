import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, connect, PaddockError } from "../../clients/ts/src/index.js";
import { Prng } from "../../server/util/prng.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";
import { History } from "./history.js";
import { type FaultName, faults } from "./nemesis.js";
import { closeTraffic, startTraffic, type Traffic, unpadded } from "./traffic.js";

/** The tier's ensemble settings: fast failure detection, small preallocation (full-disk sizing). */
export const tickTime = 200;
export const syncLimit = 5;
export const syncLimitMs = tickTime * syncLimit;

/** FAULTS_SEED replays a run; otherwise a fresh seed, printed. */
export function faultsSeed(): number {
  const given = process.env.FAULTS_SEED;
  const seed = given !== undefined && given !== "" ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`FAULTS_SEED must be an integer, got ${given}`);
  return seed;
}

/** Rounds per file: FAULTS_ROUNDS (the soak), else the CI count. */
export function faultsRounds(ci: number): number {
  const given = Number(process.env.FAULTS_ROUNDS ?? "");
  return Number.isInteger(given) && given > 0 ? given : ci;
}

/** The faults in a seeded order, each once before any repeats. */
export function schedule(seed: number, count: number, names: readonly FaultName[]): FaultName[] {
  const prng = new Prng(seed);
  const out: FaultName[] = [];
  while (out.length < count) {
    const deck = [...names];
    for (let i = deck.length - 1; i > 0; i--) {
      const j = prng.below(i + 1);
      [deck[i], deck[j]] = [deck[j]!, deck[i]!];
    }
    out.push(...deck);
  }
  return out.slice(0, count);
}

export interface DiskPlan {
  /** Members whose next start gets a slow disk. */
  readonly slow: Set<number>;
  /** Per member, the bytes its log may write before ENOSPC (next start only while set). */
  readonly full: Map<number, number>;
  fsyncDelayMs: number;
}

/**
 * A real ensemble whose every member writes its log through the disk seam with `loseUnsynced`, so
 * a kill -9 is a power cut for that member (server/persistence/test-seam-disk.ts).
 */
export async function startFaultEnsemble(voters: number, disk: DiskPlan): Promise<Ensemble> {
  const ensemble = await startEnsemble({
    voters,
    // No HTTP AdminServer: its fixed default port would collide between members and test runs.
    settings: {
      tickTime,
      syncLimit,
      initLimit: 10,
      preAllocSize: 64,
      maxSessionTimeout: 60_000,
      "admin.enableServer": false,
    },
    env: (id) => {
      const query = ["loseUnsynced=1"];
      if (disk.slow.has(id)) query.push(`fsyncDelayMs=${disk.fsyncDelayMs}`);
      const bytesMax = disk.full.get(id);
      if (bytesMax !== undefined) query.push(`bytesMax=${bytesMax}`);
      return { PADDOCK_TEST_DISK: query.join("&") };
    },
  });
  await ensemble.waitForLeader({ timeoutMs: 60_000 });
  return ensemble;
}

export const newDiskPlan = (): DiskPlan => ({ slow: new Set(), full: new Map(), fsyncDelayMs: 150 });

const servers = (ensemble: Ensemble): string[] => ensemble.members.map((m) => m.address);

/** Retries `fn` on errors a fault explains, at most `attempts` times: progress, not a wall clock. */
export async function withRetries<T>(what: string, attempts: number, fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`no progress: ${what} failed ${attempts} times in a row; last error: ${String(last)}`);
}

export interface RoundSetup {
  readonly ensemble: Ensemble;
  readonly seed: number;
  readonly round: number;
  readonly keys: number;
  readonly workers: number;
  readonly valueBytes?: number;
  readonly writesOnly?: boolean;
}

export interface Round {
  readonly root: string;
  readonly history: History;
  readonly traffic: Traffic;
  readonly prng: Prng;
  readonly admin: Client;
  /** What the faults did, for the failure message. */
  readonly notes: string[];
  /** Problems found before the end (a stall under the fault): reported by endRound. */
  readonly problems: string[];
}

/** Creates the round's znodes and starts the traffic. */
export async function beginRound(setup: RoundSetup): Promise<Round> {
  const prng = new Prng(setup.seed * 1000 + setup.round);
  const root = `/round-${setup.seed}-${setup.round}`;
  const admin = await connect(servers(setup.ensemble), { sessionTimeoutMs: 30_000, requestTimeoutMs: 5000 });
  const keys = Array.from({ length: setup.keys }, (_, i) => `${root}/k${i}`);
  for (const path of [root, `${root}/seq`, `${root}/eph`, ...keys]) {
    await withRetries(`create ${path}`, 40, async () => {
      try {
        await admin.create(path, "");
      } catch (e) {
        if (!(e instanceof PaddockError && e.is("NodeExists"))) throw e;
      }
    });
  }
  const history = new History();
  const traffic = await startTraffic({
    servers: servers(setup.ensemble),
    root,
    keys,
    workers: setup.workers,
    prng,
    history,
    ...(setup.valueBytes === undefined ? {} : { valueBytes: setup.valueBytes }),
    ...(setup.writesOnly === undefined ? {} : { writesOnly: setup.writesOnly }),
  });
  return { root, history, traffic, prng, admin, notes: [], problems: [] };
}

/** Waits until the traffic has `more` further answered operations (bounded by a deadline). */
export async function trafficProgress(round: Round, more: number, timeoutMs = 60_000): Promise<void> {
  const target = round.traffic.acked() + more;
  await waitUntil(`${more} more answered operations`, () => round.traffic.acked() >= target, timeoutMs);
}

/** Runs `step`; a failure is recorded as the round's problem (the round still ends and checks). */
export async function during(round: Round, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (e) {
    round.problems.push(`during the round: ${(e as Error).message}`);
  }
}

/** Runs one named fault from the round's generator. */
export async function inject(round: Round, ensemble: Ensemble, name: FaultName, slowDisk: Set<number>) {
  const what = await faults[name]({ ensemble, prng: round.prng, syncLimitMs, slowDisk });
  round.notes.push(what);
}

/**
 * After the faults healed: a write makes progress within bounded retries, the traffic stops,
 * final linearizable reads join the history, every member agrees on the final state, and the
 * history checks. Throws with the seed, the faults and the compact history on any violation.
 */
export async function endRound(setup: RoundSetup, round: Round): Promise<void> {
  const { ensemble } = setup;
  const { history, admin, root } = round;
  const problems: string[] = [...round.problems];
  try {
    await ensemble.waitForLeader({ timeoutMs: 60_000 });
    await withRetries("a write after heal", 40, () => admin.setData(root, "progress"));
    await round.traffic.endSideSessions();
    await round.traffic.stop();
    // Final reads: part of the history, so a lost acknowledged write is a violation there too.
    const final = new Map<string, string>();
    for (const key of history.registers.keys()) {
      await withRetries(`final read of ${key}`, 40, async () => {
        const h = history.invoke(key, { kind: "read" });
        const { data, stat } = await admin.getData(key, { linearizable: true });
        h.ok({ value: unpadded(data), version: stat.version });
        final.set(key, `${unpadded(data)}@v${stat.version}`);
      });
    }
    const children = new Map<string, string>();
    const { children: names } = await withRetries("list sequential creates", 40, () =>
      admin.getChildren(`${root}/seq`, { linearizable: true }),
    );
    for (const name of names) {
      const { data } = await withRetries(`read ${name}`, 40, () => admin.getData(`${root}/seq/${name}`));
      children.set(name, Buffer.from(data).toString());
    }
    problems.push(...history.check(children));
    problems.push(...(await membersAgree(ensemble, final, names.length, root)));
    problems.push(...(await ephemeralsHold(round, admin)));
  } catch (e) {
    problems.push(`round did not finish: ${(e as Error).message}`);
  } finally {
    await round.traffic.stop();
    await closeTraffic(round.traffic);
    await admin.close();
  }
  if (problems.length > 0) {
    const file = join(tmpdir(), `paddock-faults-${setup.seed}-${setup.round}.txt`);
    writeFileSync(file, `${history.compact()}\n`);
    throw new Error(
      [
        `FAULTS_SEED=${setup.seed} round ${setup.round}: ${problems.length} violation(s)`,
        `faults: ${round.notes.join("; ")}`,
        ...problems.map((p) => (p.length > 6000 ? `${p.slice(0, 6000)}… (full history: ${file})` : p)),
        `history (${history.size} ops, ${history.unknowns} unknown) in ${file}`,
      ].join("\n"),
    );
  }
}

/** Each member, read directly after a sync, holds the same final registers and creates. */
async function membersAgree(
  ensemble: Ensemble,
  final: ReadonlyMap<string, string>,
  creates: number,
  root: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const member of ensemble.members) {
    const direct = await withRetries(`connect to member ${member.id}`, 20, () =>
      connect(member.address, { sessionTimeoutMs: 10_000, connectTimeoutMs: 5000, requestTimeoutMs: 5000 }),
    );
    try {
      await withRetries(`sync on member ${member.id}`, 40, () => direct.sync(root));
      for (const [key, expected] of final) {
        const { data, stat } = await direct.getData(key);
        const seen = `${unpadded(data)}@v${stat.version}`;
        if (seen !== expected)
          problems.push(`member ${member.id} has ${key} = ${seen}, the ensemble ${expected}`);
      }
      const { children } = await direct.getChildren(`${root}/seq`);
      if (children.length !== creates) {
        problems.push(
          `member ${member.id} has ${children.length} sequential creates, the ensemble ${creates}`,
        );
      }
    } finally {
      await direct.close();
    }
  }
  return problems;
}

/**
 * An acknowledged ephemeral of a live session exists and is owned by it; none of a closed or
 * abandoned (expired) session remains once its timeout has passed (a bounded wait, not a sleep).
 */
async function ephemeralsHold(round: Round, admin: Client): Promise<string[]> {
  const problems: string[] = [];
  for (const s of round.traffic.sessions) {
    if (s.fate !== "live" || !s.ephemeralAcked) continue;
    const stat = await withRetries(`exists ${s.ephemeral}`, 40, () => admin.exists(s.ephemeral));
    if (stat === null)
      problems.push(`acknowledged ephemeral ${s.ephemeral} of live session ${s.name} is gone`);
    else if (stat.ephemeralOwner !== s.sessionId) problems.push(`${s.ephemeral} has the wrong owner`);
  }
  const gone = round.traffic.sessions.filter((s) => s.fate === "closed" || s.fate === "abandoned");
  try {
    await waitUntil(
      "ephemerals of closed and expired sessions to go",
      async () => {
        for (const s of gone) if ((await admin.exists(s.ephemeral).catch(() => "?")) !== null) return false;
        return true;
      },
      45_000,
    );
  } catch {
    const left = gone.map((s) => s.ephemeral);
    problems.push(`an ephemeral of a closed or expired session remains (one of ${left.join(", ")})`);
  }
  return problems;
}
