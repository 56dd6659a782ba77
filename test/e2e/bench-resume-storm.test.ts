/**
 * `paddock bench run --workload resume-storm` (issue 13's resume cost): sessions opened, their
 * connections cut, then all resumed at once with their ids and passwords over new connections.
 * Against a Paddock server the test starts, so its own mntr can confirm that every connect of the
 * storm was a resume of a known session (connection_revalidate_count), not a new session, and
 * that the sessions were closed afterwards. Nothing about speed is asserted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RowResult } from "../../bench/report.js";
import { benchRun } from "../support/bench-run.js";
import { fourLetter } from "../support/four-letter.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

const outDir = mkdtempSync(join(tmpdir(), "paddock-bench-resume-"));
let server: ServerHandle | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

const mntrValue = (text: string, key: string): number => {
  const line = text.split("\n").find((l) => l.startsWith(`zk_${key}\t`));
  if (line === undefined) throw new Error(`mntr has no zk_${key}:\n${text}`);
  return Number(line.split("\t")[1]);
};

describe("paddock bench --workload resume-storm", () => {
  it("resumes every session it opened, with its id and password, then closes them", async () => {
    server = await startServer({ settings: { "4lw.commands.whitelist": "*" } });
    const before = await fourLetter(server.address, "mntr");
    const { json } = await benchRun<{ rows: RowResult[] }>(
      [
        "--target=paddock",
        `--address=${server.address}`,
        `--server-pid=${server.pid}`,
        "--workload=resume-storm",
        "--sessions=40",
        `--out=${outDir}`,
      ],
      120_000,
    );
    const row = json.rows.find((r) => r.workload === "resume-storm");
    expect(row?.note).toBeUndefined();
    expect([row?.ops, row?.errors, row?.extra.sessions, row?.client]).toEqual([40, 0, 40, "bare-jute"]);
    expect(row?.extra.serverCpuUsPerSession).toBeGreaterThan(0);
    const after = await fourLetter(server.address, "mntr");
    expect(
      mntrValue(after, "connection_revalidate_count") - mntrValue(before, "connection_revalidate_count"),
    ).toBe(40);
    // The bench closed what it resumed: only sessions of its own connections remain (none here).
    expect(mntrValue(after, "global_sessions")).toBe(mntrValue(before, "global_sessions"));
  }, 150_000);
});
