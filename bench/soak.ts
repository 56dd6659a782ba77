/**
 * The long soak (issue 12 §4.6): many sessions, an open-loop mixed load at a fixed rate, watches
 * firing, for minutes; every interval it prints the server's RSS and the interval's latency
 * percentiles. Not a test: nothing is asserted; the numbers go in the issue or BENCHMARKS.md with
 * the machine they ran on.
 *
 *   node --import tsx bench/soak.ts                      # 10,000 sessions, 1,000 ops/s, 10 minutes
 *   node --import tsx bench/soak.ts --sessions 2000 --rate 500 --minutes 1 --interval 10
 *   node --import tsx bench/soak.ts --address 127.0.0.1:2181 --pid 1234   # an already running server
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type Client, connect } from "../clients/ts/src/index.js";
import { Prng } from "../server/util/prng.js";
import { startServer } from "../test/support/launcher.js";
import { processRssBytes } from "./proc-stats.js";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "10000" },
    rate: { type: "string", default: "1000" },
    minutes: { type: "string", default: "10" },
    interval: { type: "string", default: "30" },
    hot: { type: "string", default: "1000" },
    address: { type: "string" },
    pid: { type: "string" },
    seed: { type: "string", default: "1" },
  },
});
const sessions = Number(values.sessions);
const rate = Number(values.rate);
const durationMs = Number(values.minutes) * 60_000;
const intervalMs = Number(values.interval) * 1000;
const hotCount = Number(values.hot);
const prng = new Prng(Number(values.seed));

const server =
  values.address === undefined
    ? await startServer({ settings: { maxClientCnxns: 0, maxSessionTimeout: 120_000 } })
    : undefined;
const address = values.address ?? server!.address;
const serverPid = values.pid !== undefined ? Number(values.pid) : server?.pid;

const started = performance.now();
const clients: Client[] = [];
for (let i = 0; i < sessions; i += 200) {
  const batch = Array.from({ length: Math.min(200, sessions - i) }, () =>
    connect(address, { sessionTimeoutMs: 60_000 }),
  );
  clients.push(...(await Promise.all(batch)));
}
const admin = clients[0]!;
const hot = Array.from({ length: hotCount }, (_, i) => `/soak-hot-${i}`);
for (let i = 0; i < hot.length; i += 100) {
  await Promise.all(hot.slice(i, i + 100).map((path) => admin.create(path, "0").catch(() => undefined)));
}
// Each session holds a persistent watch on one hot znode: every setData there fires at
// sessions/hot watchers, with no re-arming reads on top of the load.
let events = 0;
const watcher = (): void => {
  events++;
};
for (let i = 0; i < clients.length; i += 500) {
  await Promise.all(
    clients.slice(i, i + 500).map((c, j) => c.addWatch(hot[(i + j) % hotCount]!, "PERSISTENT", watcher)),
  );
}
console.log(
  `${sessions} sessions connected and watching in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

let latencies: number[] = [];
let errors = 0;
let issued = 0;
const one = async (): Promise<void> => {
  const client = clients[prng.below(clients.length)]!;
  const dice = prng.below(100);
  const path = hot[prng.below(hotCount)]!;
  const t = performance.now();
  try {
    if (dice < 50) await client.getData(path);
    else if (dice < 70) await client.setData(path, String(issued));
    else if (dice < 85) await client.exists(path);
    else {
      const { path: created } = await client.create("/soak-e-", "x", { mode: "EPHEMERAL_SEQUENTIAL" });
      await client.delete(created);
    }
    latencies.push(performance.now() - t);
  } catch {
    errors++;
  }
};
const pct = (sorted: number[], p: number): string =>
  sorted.length === 0 ? "-" : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!.toFixed(1);
const report = (): void => {
  const sorted = latencies.sort((a, b) => a - b);
  const rss = serverPid === undefined ? null : processRssBytes(serverPid);
  const t = ((performance.now() - loadStart) / 1000).toFixed(0);
  console.log(
    `t=${t}s ops=${sorted.length} (${(sorted.length / (intervalMs / 1000)).toFixed(0)}/s) errors=${errors} ` +
      `p50=${pct(sorted, 0.5)}ms p99=${pct(sorted, 0.99)}ms max=${pct(sorted, 1)}ms watchEvents=${events} ` +
      `serverRSS=${rss === null ? "?" : (rss / 2 ** 20).toFixed(0)}MiB clientRSS=${(process.memoryUsage().rss / 2 ** 20).toFixed(0)}MiB`,
  );
  latencies = [];
  errors = 0;
  events = 0;
};
const loadStart = performance.now();
const tickMs = 10;
const perTick = rate / (1000 / tickMs);
let owed = 0;
const pending = new Set<Promise<void>>();
const loop = setInterval(() => {
  owed += perTick;
  for (; owed >= 1; owed--) {
    issued++;
    const p = one().finally(() => pending.delete(p));
    pending.add(p);
  }
}, tickMs);
const reporter = setInterval(report, intervalMs);
await new Promise((r) => setTimeout(r, durationMs));
clearInterval(loop);
clearInterval(reporter);
await Promise.all(pending);
report();
for (let i = 0; i < clients.length; i += 500)
  await Promise.all(clients.slice(i, i + 500).map((c) => c.close()));
await server?.stop();
