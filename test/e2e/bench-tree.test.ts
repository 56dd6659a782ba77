/**
 * `paddock bench run --tree N` (issue 14's large trees): the bench first loads N znodes of 100 B
 * under /bench/tree, then runs its workloads against that tree. Against a Paddock server the test
 * starts, so the tree can be read back afterwards through node-zookeeper-client: exactly N
 * children, each 100 bytes. Nothing about speed is asserted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zookeeper from "node-zookeeper-client";
import { afterAll, describe, expect, it } from "vitest";
import type { RowResult } from "../../bench/report.js";
import { benchRun } from "../support/bench-run.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

const outDir = mkdtempSync(join(tmpdir(), "paddock-bench-tree-"));
let server: ServerHandle | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

function children(address: string, path: string): Promise<{ names: string[]; size: number }> {
  const client = zookeeper.createClient(address, { sessionTimeout: 20_000, retries: 0 });
  return new Promise((resolve, reject) => {
    client.once("connected", () => {
      client.getChildren(path, (error, names) => {
        if (error) {
          client.close();
          reject(error);
          return;
        }
        client.getData(`${path}/${names[0]}`, (e, data) => {
          client.close();
          if (e) reject(e);
          else resolve({ names, size: data?.length ?? -1 });
        });
      });
    });
    client.connect();
  });
}

describe("paddock bench --tree", () => {
  it("loads N znodes under /bench/tree before the workloads, which then run cleanly", async () => {
    server = await startServer();
    const { json, stderr } = await benchRun<{ rows: RowResult[] }>(
      [
        "--target=paddock",
        `--address=${server.address}`,
        `--server-pid=${server.pid}`,
        "--paddock-client=jute",
        "--workload=get",
        "--tree=300",
        "--workers=1",
        "--clients=2",
        "--concurrency=2",
        "--duration=1",
        "--warmup=0",
        `--out=${outDir}`,
      ],
      80_000,
    );
    const rows = json.rows;
    expect(rows.map((row) => [row.workload, row.errors, row.note])).toEqual([["get", 0, undefined]]);
    expect(rows[0]!.ops).toBeGreaterThan(0);
    expect(stderr).toContain("paddock: 300 znodes loaded in");

    const tree = await children(server.juteAddress, "/bench/tree");
    expect(tree.names.length).toBe(300);
    expect(new Set(tree.names)).toEqual(new Set(Array.from({ length: 300 }, (_, i) => `z${i}`)));
    expect(tree.size).toBe(100);
  });
});
