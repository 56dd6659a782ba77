/**
 * The connect storm (issue 14): `--sessions` clients open their sessions all at once, each over
 * its own connection, as a fleet of applications does after a restart or a network blip. Reports
 * sessions/s over the storm, each open's latency, and server CPU per session (every member's).
 * Run it with and without localSessionsEnabled (BENCH_ZOO_CFG, see bench/ensemble-servers.ts):
 * a local session costs its member no transaction.
 */
import type { BenchOptions } from "./args.js";
import type { ServerRef } from "./load-runner.js";
import type { RowResult } from "./report.js";
import { runStorm } from "./storm.js";
import { loadDriver } from "./targets/index.js";
import type { BenchClient } from "./targets/target.js";

/** Closes after the storm, this many at a time (not measured). */
const closesInFlightMax = 64;

export async function runConnectStorm(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const driver = await loadDriver(server.target, opts.paddockClient, opts.topology);
  const { done, row } = await runStorm<BenchClient>(
    server,
    "connect-storm",
    Array.from({ length: opts.sessions }, () => () => driver.connect(server.address, opts.sessionTimeoutMs)),
  );
  for (let i = 0; i < done.length; i += closesInFlightMax) {
    await Promise.allSettled(done.slice(i, i + closesInFlightMax).map((c) => c.close()));
  }
  return row;
}
