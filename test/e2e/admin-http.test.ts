import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { runProcess } from "../support/run-process.js";
import { waitUntil } from "../support/wait.js";

let server: ServerHandle;
let client: Client;
const auditFile = join(mkdtempSync(join(tmpdir(), "paddock-audit-")), "audit.log");

async function get(
  port: number | undefined,
  path: string,
): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}
const command = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse((await get(server.adminPort, `/commands/${name}`)).body) as Record<string, unknown>;

/** One sample's value from Prometheus text: `name{labels} value`. */
function sample(text: string, name: string, labels = ""): number | undefined {
  const escaped = `${name}${labels}`.replace(/[{}"=.,]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, "m").exec(text);
  return match ? Number(match[1]) : undefined;
}

beforeAll(async () => {
  server = await startServer({
    settings: {
      "audit.enable": true,
      "paddock.audit.file": auditFile,
      "4lw.commands.whitelist": "*",
    },
  });
  client = await connect(server.address, { sessionTimeoutMs: 30_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describe("the AdminServer over HTTP", () => {
  it("lists ZooKeeper's commands and answers names and aliases with the same JSON", async () => {
    const index = await get(server.adminPort, "/commands");
    expect(index.status).toBe(200);
    for (const name of [
      "monitor",
      "server_stats",
      "watch_summary",
      "voting_view",
      "zabstate",
      "last_snapshot",
    ])
      expect(index.body).toContain(`<a href="/commands/${name}">${name}</a>`);
    const ruok = await command("ruok");
    expect(ruok).toEqual({ command: "ruok", error: null });
    const aliases: [string, string][] = [
      ["mntr", "monitor"],
      ["conf", "configuration"],
      ["cons", "connections"],
      ["envi", "environment"],
      ["lead", "leader"],
      ["obsr", "observers"],
      ["sysp", "system_properties"],
      ["wchc", "watches"],
      ["wchp", "watches_by_path"],
      ["wchs", "watch_summary"],
      ["isro", "is_read_only"],
      ["lsnp", "last_snapshot"],
      ["gtmk", "get_trace_mask"],
    ];
    for (const [alias, name] of aliases) {
      expect((await command(alias)).command, alias).toBe(name);
    }
    const unknown = await get(server.adminPort, "/commands/nope");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ command: "nope", error: "Unknown command: nope" });
    expect((await get(server.adminPort, "/elsewhere")).status).toBe(404);
  });

  it("srvr shows real latency since srst, dirs real sizes, mntr the tree's figures", async () => {
    await command("srst");
    await client.create("/latency", "x");
    await client.create("/eph", "e", { mode: "EPHEMERAL" });
    for (let i = 0; i < 20; i++) await client.getData("/latency");
    const srvr = (await command("srvr")).server_stats as { [key: string]: number };
    const { min_latency: min = 0, avg_latency: avg = 0, max_latency: max = 0 } = srvr;
    expect(max).toBeGreaterThan(0);
    expect(min).toBeGreaterThan(0);
    expect(avg).toBeGreaterThanOrEqual(min);
    expect(avg).toBeLessThanOrEqual(max);
    const dirs = await command("dirs");
    expect(dirs.datadir_size).toBeGreaterThan(0);
    expect(dirs.logdir_size).toBeGreaterThan(0);
    const mntr = await command("mntr");
    expect(mntr.server_state).toBe("standalone");
    expect(mntr.ephemerals_count).toBe(1);
    expect(mntr.znode_count).toBeGreaterThanOrEqual(3);
    expect(mntr.approximate_data_size).toBeGreaterThan("/latency".length + 1);
    expect(mntr.cnt_readlatency).toBeGreaterThanOrEqual(20);
    expect(mntr.cnt_updatelatency).toBeGreaterThanOrEqual(2);
    expect(mntr.cnt_fsynctime).toBeGreaterThan(0);
    expect(mntr.num_alive_connections).toBeGreaterThan(0);
    // The four-letter word answers from the same rows (zk_ prefixed, tab-separated).
    const word = await runProcess("bash", [
      "-c",
      `exec 3<>/dev/tcp/127.0.0.1/${server.port}; printf mntr >&3; cat <&3`,
    ]);
    expect(word.stdout).toMatch(/^zk_znode_count\t\d+$/m);
    expect(word.stdout).toMatch(/^zk_ephemerals_count\t1$/m);
    expect(word.stdout).toMatch(/^zk_avg_readlatency\t/m);
  });
});

describe("Prometheus /metrics", () => {
  it("serves ZooKeeper's names with sane values, Paddock's own under paddock_, Node's process figures", async () => {
    const before = await get(server.metricsPort, "/metrics");
    expect(before.status).toBe(200);
    expect(before.type).toContain("text/plain");
    const count = sample(before.body, "znode_count")!;
    for (let i = 0; i < 5; i++) await client.create(`/m${i}`, "v");
    const after = (await get(server.metricsPort, "/metrics")).body;
    expect(sample(after, "znode_count")).toBe(count + 5);
    expect(after).toMatch(/^# TYPE readlatency summary$/m);
    expect(sample(after, "readlatency", '{quantile="0.5"}')).toBeGreaterThan(0);
    expect(sample(after, "updatelatency_count")).toBeGreaterThanOrEqual(5);
    expect(sample(after, "fsynctime_count")).toBeGreaterThan(0);
    expect(sample(after, "ephemerals_count")).toBe(1);
    expect(sample(after, "outstanding_requests")).toBe(0);
    expect(sample(after, "num_alive_connections")).toBeGreaterThan(0);
    expect(sample(after, "bytes_received_count")).toBeGreaterThan(0);
    expect(sample(after, "open_file_descriptor_count")).toBeGreaterThan(0);
    expect(sample(after, "paddock_request_latency_ms_count", '{op="create"}')).toBeGreaterThanOrEqual(5);
    expect(after).toMatch(/^process_open_fds \d+$/m);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(after).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
  });
});

describe("the audit log", () => {
  it("writes ZooKeeper's lines for state-changing requests, success and failure", async () => {
    await client.create("/audited", "a");
    await client.setData("/audited", "b");
    await expect(client.delete("/missing")).rejects.toThrow();
    await client.delete("/audited");
    await client.getData("/latency");
    // The file is appended asynchronously: wait for the last line this test causes.
    await waitUntil("the audit lines", () =>
      readFileSync(auditFile, "utf8").includes("operation=delete\tznode=/audited\t"),
    );
    const lines = readFileSync(auditFile, "utf8").split("\n");
    expect(lines[0]).toMatch(
      / INFO audit\.ZKAuditProvider: user=\S+\toperation=serverStart\tresult=success$/,
    );
    const of = (path: string) =>
      lines.filter((l) => l.includes(`znode=${path}\t`)).map((l) => /operation=\S+.*$/.exec(l)?.[0]);
    expect(of("/audited")).toEqual([
      "operation=create\tznode=/audited\tznode_type=persistent\tresult=success",
      "operation=setData\tznode=/audited\tresult=success",
      "operation=delete\tznode=/audited\tresult=success",
    ]);
    expect(of("/missing")).toEqual(["operation=delete\tznode=/missing\tresult=failure"]);
    expect(lines.find((l) => l.includes("znode=/audited"))).toMatch(
      /session=0x[0-9a-f]+\tuser=127\.0\.0\.1\tip=127\.0\.0\.1\t/,
    );
    expect(lines.some((l) => l.includes("znode=/latency\t") && l.includes("getData"))).toBe(false);
  });
});

describe("start-up", () => {
  it("refuses a port in use, naming the key", async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
    const address = taken.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      await expect(
        startServer({ settings: { "admin.serverAddress": "127.0.0.1", "admin.serverPort": port } }),
      ).rejects.toThrow(new RegExp(`admin\\.serverPort: 127\\.0\\.0\\.1:${port} is in use`));
    } finally {
      taken.close();
    }
  });
});
