import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { runProcess } from "../support/run-process.js";

// A real reflection client: grpcurl (installed by scripts/install-grpcurl.sh) runs the README's
// grpcurl lines as written, only the port changed, against a real server.

const root = resolve(import.meta.dirname, "../..");
const grpcurl = resolve(root, ".cache/bin/grpcurl");
let server: ServerHandle;

/** The README's grpcurl command lines, split into arguments (single-quoted JSON kept whole). */
function readmeLines(): string[][] {
  const readme = readFileSync(resolve(root, "README.md"), "utf8");
  return readme
    .split("\n")
    .filter((line) => line.startsWith("grpcurl "))
    .map((line) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1));
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const port = String(server.port);
  return runProcess(
    grpcurl,
    args.map((a) => a.replace("localhost:2181", `127.0.0.1:${port}`)),
    {},
  );
}

beforeAll(async () => {
  if (!existsSync(grpcurl)) throw new Error(`${grpcurl} missing: run bash scripts/install-grpcurl.sh`);
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe("grpcurl through server reflection (issue 12 §5)", () => {
  it("runs every grpcurl line of the README as written", async () => {
    const lines = readmeLines();
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const outputs: string[] = [];
    for (const args of lines) {
      const r = await run(args);
      expect(r.stderr, args.join(" ")).toBe("");
      expect(r.code, args.join(" ")).toBe(0);
      outputs.push(r.stdout);
    }
    const [created, got, mntr, list, health] = outputs;
    expect(JSON.parse(created!).path).toBe("/app");
    expect(JSON.parse(got!).data).toBe("aGk=");
    expect(JSON.parse(mntr!).output).toContain("zk_server_state\tstandalone");
    expect(list!.trim().split("\n")).toEqual([
      "grpc.health.v1.Health",
      "paddock.v1.AdminService",
      "paddock.v1.DataService",
      "paddock.v1.SessionService",
      "paddock.v1.WatchService",
    ]);
    expect(JSON.parse(health!).status).toBe("SERVING");
    // A first page of one name, sorted ("app" before "zookeeper"), the value as one chunk (the last),
    // and a compare-transaction's then-branch.
    const [page, chunk, txn] = outputs.slice(5);
    expect(JSON.parse(page!)).toMatchObject({ children: ["app"], nextPageToken: expect.any(String) });
    expect(JSON.parse(chunk!)).toMatchObject({ data: "aGk=", last: true, stat: { dataLength: 2 } });
    expect(JSON.parse(txn!)).toMatchObject({ succeeded: true, results: [{ setData: {} }] });
  });

  it("shows an error's code, message and paddock.v1.Error details for a non-ASCII path", async () => {
    const r = await run([
      "-plaintext",
      "-d",
      '{"path":"/café"}',
      "localhost:2181",
      "paddock.v1.DataService/GetData",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Code: NotFound");
    expect(r.stderr).toContain('"@type": "type.googleapis.com/paddock.v1.Error"');
    expect(r.stderr).toContain('"path": "/café"');
    const after = await run(["-plaintext", "localhost:2181", "grpc.health.v1.Health/Check"]);
    expect(after.code).toBe(0);
  });
});
