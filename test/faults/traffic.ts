import { type Client, connect, PaddockError } from "../../clients/ts/src/index.js";
import { Prng } from "../../server/util/prng.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { History } from "./history.js";

/** One client session of the traffic and what it did with its ephemeral. */
export interface SessionRecord {
  readonly name: string;
  client: Client | undefined;
  sessionId: bigint;
  /** The ephemeral's path; `ephemeralAcked` once its create was answered. */
  readonly ephemeral: string;
  ephemeralAcked: boolean;
  /**
   * "live": connected to its session at the end; "closed": closed by the test; "abandoned": lost
   * its only route or saw its session expire; "unknown": still reconnecting at the end (no check).
   */
  fate: "live" | "closed" | "abandoned" | "unknown";
}

export interface TrafficOptions {
  readonly servers: string[];
  readonly root: string;
  /** Register znodes (created with "" at version 0 before the traffic starts). */
  readonly keys: string[];
  readonly workers: number;
  readonly prng: Prng;
  readonly history: History;
  /** Value bytes of writes (padding), so a full-disk scenario fills the disk in few writes. */
  readonly valueBytes?: number;
  /** Only setData and sequential creates (the power-cut scenario wants acked writes, not reads). */
  readonly writesOnly?: boolean;
}

export interface Traffic {
  readonly sessions: SessionRecord[];
  /** Operations answered so far (any result). */
  acked(): number;
  /** Closes the closer session and cuts the abandoned one's only route (ephemeral invariants). */
  endSideSessions(): Promise<void>;
  stop(): Promise<void>;
}

const requestTimeoutMs = 4000;
const sessionTimeoutMs = 20_000;
/** The side sessions expire fast once cut off. */
const sideSessionTimeoutMs = 4000;

/**
 * Definite answers: the op did not apply. Everything else (loss, timeout, system error) is unknown.
 * A BadVersion is a definite observation (the version was not the expected one): this tier found
 * that the leader answered it at once, judged against outstanding changes a deposed leader never
 * commits; it is now an ErrorTxn answered when it applies (plant prep-error-answered-at-once).
 */
/**
 * Client traffic from `workers` sessions (the TS client over the session stream): setData with and
 * without an expected version, linearizable getData, sequential creates, each recorded in the
 * history with its invoke and answer. Two side sessions each hold an ephemeral: one is closed by
 * the test, one loses its only route (a proxy the test cuts) and must expire.
 */
export async function startTraffic(options: TrafficOptions): Promise<Traffic> {
  const { history, prng, keys, root } = options;
  let stopped = false;
  let acked = 0;
  // Stored after a "|", never recorded: long values would bloat the checker's memo keys.
  const pad = options.valueBytes === undefined ? "" : `|${"p".repeat(options.valueBytes)}`;
  const sessions: SessionRecord[] = [];
  const open = async (name: string, servers: string[], timeoutMs: number): Promise<SessionRecord> => {
    const client = await connect(servers, {
      sessionTimeoutMs: timeoutMs,
      requestTimeoutMs,
      connectTimeoutMs: 30_000,
    });
    const record: SessionRecord = {
      name,
      client,
      sessionId: client.sessionId,
      ephemeral: `${root}/eph/${name}`,
      ephemeralAcked: false,
      fate: "live",
    };
    try {
      await client.create(record.ephemeral, name, { mode: "EPHEMERAL" });
      record.ephemeralAcked = true;
    } catch {
      // Unknown: the invariants check only acknowledged ephemerals of live sessions.
    }
    sessions.push(record);
    return record;
  };
  const seeds = Array.from({ length: options.workers }, () => prng.nextUint32());
  const workers: SessionRecord[] = [];
  for (let w = 0; w < options.workers; w++)
    workers.push(await open(`w${w}`, options.servers, sessionTimeoutMs));
  const closer = await open("closer", options.servers, sideSessionTimeoutMs);
  const proxy: TcpProxy = await startTcpProxy(options.servers[0]!);
  const abandoned = await open("abandoned", [proxy.address], sideSessionTimeoutMs);

  const run = async (record: SessionRecord, seed: number): Promise<void> => {
    const rng = new Prng(seed);
    const client = record.client!;
    const lastVersion = new Map<string, number>();
    // After an unknown outcome the worker only reads until a read succeeds: every unknown write
    // doubles the checker's search, so a worker adds at most one per outage.
    let suspect = false;
    for (let i = 0; !stopped; i++) {
      if (client.state === "expired" || client.state === "closed") return;
      const key = keys[rng.below(keys.length)]!;
      const value = `${record.name}-${i}`;
      const dice = suspect ? 60 : rng.below(100);
      let failed = false;
      try {
        if (options.writesOnly && !suspect ? dice < 70 : dice < 30) {
          const h = history.invoke(key, { kind: "write", value });
          try {
            const stat = await client.setData(key, value + pad);
            h.ok(stat.version);
            lastVersion.set(key, stat.version);
          } catch (e) {
            suspect = true;
            throw e;
          }
        } else if (!options.writesOnly && dice < 55) {
          const expect = lastVersion.get(key) ?? 0;
          const h = history.invoke(key, { kind: "cas", expect, value });
          try {
            const stat = await client.setData(key, value + pad, expect);
            h.ok(stat.version);
            lastVersion.set(key, stat.version);
          } catch (e) {
            const badVersion = e instanceof PaddockError && e.is("BadVersion");
            if (badVersion) h.ok(null);
            else {
              suspect = true;
              throw e;
            }
          }
        } else if (suspect || (!options.writesOnly && dice < 90)) {
          const h = history.invoke(key, { kind: "read" });
          const { data, stat } = await client.getData(key, { linearizable: true });
          h.ok({ value: unpadded(data), version: stat.version });
          lastVersion.set(key, stat.version);
          suspect = false;
        } else {
          const op = history.invokeSequential(value);
          suspect = true;
          const created = await client.create(`${root}/seq/s-`, value, { mode: "PERSISTENT_SEQUENTIAL" });
          suspect = false;
          op.complete = History.now();
          op.name = created.path.slice(created.path.lastIndexOf("/") + 1);
        }
        acked++;
      } catch {
        failed = true;
      }
      // Pacing, not synchronisation: keeps a loaded 2-core machine's servers responsive.
      await new Promise((r) => setTimeout(r, failed ? 50 : 2 + rng.below(8)));
    }
  };
  const running = workers.map((w, i) => run(w, seeds[i]!));
  return {
    sessions,
    acked: () => acked,
    async endSideSessions() {
      if (closer.fate === "closed") return;
      await closer.client!.close();
      closer.fate = "closed";
      proxy.cut();
      abandoned.fate = "abandoned";
    },
    async stop() {
      stopped = true;
      await Promise.all(running);
      for (const s of sessions) {
        if (s.fate !== "live") continue;
        const state = s.client!.state;
        if (state === "expired") s.fate = "abandoned";
        else if (state !== "connected" || s.client!.sessionId !== s.sessionId) s.fate = "unknown";
      }
      await proxy.close();
    },
  };
}

/** A register's value as recorded in the history: its data without the padding. */
export const unpadded = (data: Uint8Array): string => Buffer.from(data).toString().split("|")[0]!;

/** Closes every session's client (after the checks). */
export async function closeTraffic(traffic: Traffic): Promise<void> {
  await Promise.all(traffic.sessions.map((s) => s.client?.close()));
}
