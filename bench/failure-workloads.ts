/** Recovery time after SIGKILL and, for ensembles, failover time after the leader's SIGKILL. */
import type { BenchOptions } from "./args.js";
import { Histogram } from "./histogram.js";
import { valueOfSize } from "./load-worker.js";
import { makeRow, type RowResult } from "./report.js";
import type { EnsembleHandle, ServerHandle } from "./servers.js";
import { loadDriver } from "./targets/index.js";
import { type BenchClient, ensurePath } from "./targets/target.js";
import { loadZnodes, nowMs } from "./workload-helpers.js";

/**
 * Loads M znodes, SIGKILLs the server, starts it again on the same data dir and times until the
 * first and the last znodes written read back. A server that restarts empty reports "n/a (no durability)".
 */
export async function runRecovery(
  opts: BenchOptions,
  handle: ServerHandle,
): Promise<{ row: RowResult; handle: ServerHandle }> {
  const driver = await loadDriver(handle.target, opts.paddockClient, opts.topology);
  const client = await driver.connect(handle.address, opts.sessionTimeoutMs);
  const parent = "/bench/recovery";
  const loadHistogram = new Histogram();
  try {
    await ensurePath(client, parent);
    await loadZnodes(client, parent, opts.znodes, loadHistogram);
  } finally {
    await client.close().catch(() => {});
  }
  const last = `${parent}/z${opts.znodes - 1}`;
  const t0 = nowMs();
  await handle.kill();
  const restarted = await handle.restart();
  const readyMs = nowMs() - t0;
  const histogram = new Histogram();
  let note: string | undefined;
  let recoveryMs = Number.NaN;
  let errorSample: string | undefined;
  let probe: BenchClient | undefined;
  // A server may take its time to load a large tree before it takes sessions (a connect refused
  // or unanswered meanwhile): the probe tries again until recoveryDeadlineMs after the kill.
  for (;;) {
    try {
      probe = await driver.connect(restarted.address, opts.sessionTimeoutMs);
      break;
    } catch (e) {
      if (nowMs() - t0 > recoveryDeadlineMs) {
        errorSample = `no session within ${recoveryDeadlineMs} ms of the kill: ${(e as Error).message}`;
        note = "n/a (no session after restart)";
        break;
      }
      // A refused connect fails at once: pace the retries so they do not take the server's CPU.
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (probe !== undefined) {
      await probe.getData(`${parent}/z0`);
      await probe.getData(last);
      recoveryMs = nowMs() - t0;
      histogram.record(recoveryMs * 1000);
    }
  } catch (e) {
    errorSample = (e as Error).message;
    note = handle.target === "paddock" ? "n/a (no durability)" : "n/a (znodes lost on restart)";
  } finally {
    await probe?.close().catch(() => {});
  }
  const extra: Record<string, number> = { znodes: opts.znodes, readyMs };
  if (note === undefined) {
    extra.recoveryMs = recoveryMs;
  }
  const row = makeRow({
    target: handle.target,
    workload: "recovery",
    ops: note === undefined ? 1 : 0,
    durationS: note === undefined ? recoveryMs / 1000 : 0,
    histogram,
    errors: note === undefined ? 0 : 1,
    errorSample,
    clientCpuS: 0,
    serverCpuS: null,
    extra,
    note,
  });
  return { row, handle: restarted };
}

/** How long the recovery row waits for a session on the restarted server (a 1M-znode tree loads slowly). */
const recoveryDeadlineMs = 600_000;

/** How long the failover row waits for a write to succeed after the kill before giving up. */
const failoverDeadlineMs = 60_000;
/** A write still unanswered after this long gets a companion attempt (the first may be stuck on the dead leader). */
const failoverAttemptEveryMs = 250;

/**
 * The recovery workload of an ensemble: loads M znodes through the connect string, SIGKILLs the
 * leader (kill -9), and times until a setData through a session opened on the connect string before
 * the kill is acknowledged. That session may have been on the leader or on a follower (the clients
 * shuffle the connect string), as an application's would be. A session the servers expired is
 * replaced by a new one on the same connect string. Also reports when the members first agree on a
 * new leader (srvr Mode, etcd's status), polled every 20 ms.
 */
export async function runFailover(opts: BenchOptions, ensemble: EnsembleHandle): Promise<RowResult> {
  const driver = await loadDriver(ensemble.target, opts.paddockClient, opts.topology);
  const parent = "/bench/failover";
  const path = `${parent}/probe`;
  const value = valueOfSize(opts.valueSize);
  let client = await driver.connect(ensemble.address, opts.sessionTimeoutMs);
  const clients = [client];
  try {
    await ensurePath(client, parent);
    const { errors: loadErrors, errorSample: loadError } = await loadZnodes(
      client,
      parent,
      opts.znodes,
      new Histogram(),
    );
    if (loadErrors > 0) throw new Error(`loading ${opts.znodes} znodes: ${loadErrors} failed (${loadError})`);
    await client.create(path, value, "persistent");
    await client.setData(path, value); // the session is up and writing before the kill
    const leader = await ensemble.waitForLeader(30_000);

    const t0 = nowMs();
    await ensemble.killMember(leader);
    const newLeader = ensemble.waitForLeader(failoverDeadlineMs).then(
      () => nowMs() - t0,
      () => undefined,
    );
    let acked: number | undefined;
    let failures = 0;
    let lastError: string | undefined;
    let replace = false;
    const attempt = async (c: BenchClient): Promise<void> => {
      try {
        await c.setData(path, value);
        acked ??= nowMs();
      } catch (e) {
        failures++;
        lastError = (e as Error).message;
        // The session is gone (expired, or the raw adapter's stream, which never reconnects): open another.
        if (/expired|closed|session stream/i.test(lastError)) replace = true;
      }
    };
    while (acked === undefined && nowMs() - t0 < failoverDeadlineMs) {
      if (replace) {
        replace = false;
        try {
          client = await driver.connect(ensemble.address, opts.sessionTimeoutMs);
          clients.push(client);
        } catch (e) {
          failures++;
          lastError = (e as Error).message;
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        attempt(client),
        new Promise<void>((r) => (timer = setTimeout(r, failoverAttemptEveryMs))),
      ]);
      clearTimeout(timer);
      if (acked === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    if (acked === undefined)
      throw new Error(
        `no write succeeded within ${failoverDeadlineMs} ms of killing leader ${leader} (${lastError})`,
      );
    const failoverMs = acked - t0;
    const newLeaderMs = await newLeader;
    const histogram = new Histogram();
    histogram.record(failoverMs * 1000);
    const extra: Record<string, number> = {
      znodes: opts.znodes,
      killedMember: leader,
      failoverMs,
      failedWrites: failures,
      sessionsReplaced: clients.length - 1,
    };
    if (newLeaderMs !== undefined) extra.newLeaderMs = newLeaderMs;
    return makeRow({
      target: ensemble.target,
      members: ensemble.members,
      workload: "failover",
      ops: 1,
      durationS: failoverMs / 1000,
      histogram,
      errors: 0,
      errorSample: failures > 0 ? `${failures} writes failed meanwhile, last: ${lastError}` : undefined,
      clientCpuS: 0,
      serverCpuS: null,
      extra,
    });
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
