import { runProcess } from "./run-process.js";

/**
 * `paddock bench run ARGS --json` through bin/paddock.js, as a user runs it: the JSON document it
 * prints last (options, shape, rows) and its stderr (progress lines). A non-zero exit or no JSON
 * throws with everything the bench printed.
 */
export async function benchRun<T>(args: string[], timeoutMs: number): Promise<{ json: T; stderr: string }> {
  const r = await runProcess(process.execPath, ["bin/paddock.js", "bench", "run", ...args, "--json"], {
    timeoutMs,
  });
  const json = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  if (r.code !== 0 || json === undefined)
    throw new Error(`paddock bench exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return { json: JSON.parse(json) as T, stderr: r.stderr };
}
