import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { repoRoot, runProcess } from "../../support/run-process.js";
import { waitUntil } from "../../support/wait.js";
import { runners } from "./runners.js";

// ZooKeeper's own clients on a member below its disk floor (dataDir on a 48 MiB tmpfs in the
// server's own mount namespace, filled through /proc/<pid>/root, as test/e2e/disk-floor.test.ts):
// the refusal is NotReadOnly (-119), which both raise as their read-only-server error for that
// one request, and the same session then reads.

const FLOOR = 16 * 1024 * 1024;
const mount = mkdtempSync(join(tmpdir(), "paddock-tmpfs-"));
let server: ServerHandle;

beforeAll(async () => {
  server = await startServer({
    dataDir: join(mount, "data"),
    wrapper: ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=48m tmpfs "$0" && exec "$@"', mount],
    settings: { "paddock.diskFreeBytesMin": FLOOR, "paddock.diskCheckIntervalMs": 50, preAllocSize: 512 },
  });
  const client = await connect(server.address);
  await client.create("/before", "kept");
  await client.close();
  const root = `/proc/${server.pid}/root${mount}`;
  const fs = statfsSync(root);
  writeFileSync(`${root}/filler`, Buffer.alloc(fs.bavail * fs.bsize - FLOOR / 2));
  await waitUntil("the member read-only", async () => {
    const r = await fetch(`http://127.0.0.1:${server.adminPort}/commands/is_read_only`);
    return ((await r.json()) as { read_only: boolean }).read_only;
  });
});

afterAll(async () => {
  if (server !== undefined) unlinkSync(`/proc/${server.pid}/root${mount}/filler`);
  await server?.stop();
  rmSync(mount, { recursive: true, force: true });
});

const kazooScript = `
import json, sys
from kazoo.client import KazooClient
from kazoo.exceptions import ZookeeperError
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=10)
out = {}
try:
    zk.create("/kazoo-refused", b"x")
    out["create"] = "ok"
except ZookeeperError as e:
    out["create"] = [type(e).__name__, e.code if hasattr(e, "code") else None]
data, _ = zk.get("/before")
out["get"] = data.decode()
out["state"] = str(zk.state)
zk.stop()
print(json.dumps(out))
`;

describe("ZooKeeper's clients on a member below its disk floor", () => {
  it("kazoo: NotReadOnlyCallError for the write, then the session reads", async () => {
    const python = join(repoRoot, ".cache/kazoo-venv/bin/python");
    const r = await runProcess(python, ["-c", kazooScript, server.juteAddress], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { create: unknown; get: string; state: string };
    expect(out.create).toEqual(["NotReadOnlyCallError", -119]);
    expect(out.get).toBe("kept");
    expect(out.state).toBe("CONNECTED");
  });

  it("ZooKeeper's Java client: NotReadOnlyException (-119), then the session reads", async () => {
    const [cp, classpath] = runners.java.args;
    const source = join(repoRoot, "test/clients/zk/java/DiskLow.java");
    const r = await runProcess("java", [cp!, classpath!, source, server.juteAddress], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "create NotReadOnlyException -119",
      "getData kept CONNECTED",
    ]);
  });
});
