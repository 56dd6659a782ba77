/**
 * The resume storm (issue 13): `--sessions` sessions are opened (not measured), their connections
 * are cut without closing the sessions, as a network blip or a member's restart does, and every
 * client then resumes its session at once with its id and password, each over a new connection.
 * On an ensemble the sessions are opened on the connect string's first member and resumed on its
 * last, so a follower must check each with the leader (Paddock's revalidating barrier,
 * ZooKeeper's REVALIDATE). Reports resumes/s over the storm, each resume's latency, server CPU
 * per resume (every member's), and any resume refused. Paddock and ZooKeeper through the same
 * bare client of ZooKeeper's protocol (bench/jute-raw.ts), so the figures compare directly.
 */
import type { BenchOptions } from "./args.js";
import { type RawSession, rawClose, rawConnect } from "./jute-raw.js";
import type { ServerRef } from "./load-runner.js";
import type { RowResult } from "./report.js";
import { runStorm } from "./storm.js";

/** Opens and closes outside the storm, this many at a time (not measured). */
const inFlightMax = 64;

async function inBatches<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += inFlightMax) {
    out.push(...(await Promise.all(items.slice(i, i + inFlightMax).map(run))));
  }
  return out;
}

export async function runResumeStorm(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const members = server.address.split(",");
  const openOn = members[0]!;
  const resumeOn = members[members.length - 1]!;
  const opened = await inBatches(Array.from({ length: opts.sessions }), () =>
    rawConnect(openOn, 0n, Buffer.alloc(16), opts.sessionTimeoutMs),
  );
  for (const s of opened) s.socket.destroy();

  const { done, row } = await runStorm<RawSession>(
    server,
    "resume-storm",
    opened.map((old) => async () => {
      const s = await rawConnect(resumeOn, old.sessionId, old.password, opts.sessionTimeoutMs);
      if (s.timeoutMs === 0 || s.sessionId !== old.sessionId) {
        s.socket.destroy();
        throw new Error(`session 0x${old.sessionId.toString(16)} refused on resume`);
      }
      return s;
    }),
  );
  await inBatches(done, rawClose);
  // bench/jute-raw.ts, named here: the report would name the target's usual client.
  return { ...row, generator: "ts", client: "bare-jute", topology: "independent" };
}
