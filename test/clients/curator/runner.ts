import { existsSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { repoRoot, runProcess } from "../../support/run-process.js";

/**
 * The Curator runner (java/CuratorRunner.java), built by scripts/install-curator.sh into
 * .cache/curator: one JVM per run, one JSON line per checked outcome.
 */
const cache = join(repoRoot, ".cache/curator");
export const classpath = `${join(cache, "classes")}:${join(cache, "lib")}/*`;
export const javaArgs = ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classpath, "CuratorRunner"];

/** Scenarios run against both servers, in this order (one JVM). */
export const scenarioNames = [
  "mutex",
  "rwlock",
  "semaphore",
  "leader-latch",
  "atomic-long",
  "shared-count",
  "curator-cache",
  "path-children-cache",
  "persistent-node",
  "transaction",
  "containers",
  "protected-sequential",
  "queue",
  "barrier",
  "discovery",
  "zk39",
] as const;

export interface Outcome {
  scenario: string;
  check: string;
  value: unknown;
  ok: boolean;
}

export interface Run {
  code: number | null;
  outcomes: Outcome[];
  stderr: string;
}

/** Throws (never skips) when the install script has not run. */
export function requireCurator(): void {
  const lib = join(cache, "lib");
  const built = existsSync(join(cache, "classes/CuratorRunner.class"));
  const jars = existsSync(lib) ? readdirSync(lib) : [];
  if (!built || !jars.some((j) => j.startsWith("curator-recipes-")))
    throw new Error("Curator runner not built: run bash scripts/install-curator.sh");
}

export function parseOutcomes(stdout: string): Outcome[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Outcome);
}

let roots = 0;

/** Runs `scenarios` against `address` under a fresh root. */
export async function runScenarios(address: string, names: readonly string[]): Promise<Run> {
  const root = `/curator-${process.pid}-${++roots}`;
  const result = await runProcess("java", [...javaArgs, "scenarios", address, root, ...names], {
    timeoutMs: 110_000,
  });
  return { code: result.code, outcomes: parseOutcomes(result.stdout), stderr: result.stderr };
}

/** One scenario's transcript without the ok flag (compared between servers). */
export function transcript(run: Run, scenario: string): { check: string; value: unknown }[] {
  return run.outcomes.filter((o) => o.scenario === scenario).map(({ check, value }) => ({ check, value }));
}

/** `srvr` over a raw TCP connection to a client port; its Mode line, undefined if unreachable. */
export function srvrMode(address: string, timeoutMs = 2000): Promise<string | undefined> {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    let out = "";
    const socket = connect({ host, port: Number(port) });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write("srvr"));
    socket.on("data", (c: string) => {
      out += c;
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(/^Mode: (\S+)/m.exec(out)?.[1]);
    });
  });
}
