import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, ServiceDiscovery } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";
import { buildPrograms, type Language, type Programs, run } from "./cross-language-programs.js";

// Service discovery in Curator x-discovery's layout (docs/RECIPES.md) across the four clients: an
// instance registered in one language is found, with the same JSON fields, by every other.
let server: ServerHandle;
let programs: Programs;
let client: Client;
const languages: Language[] = ["go", "py", "java"];
const ports: Record<Language | "ts", number> = { go: 7001, py: 7002, java: 7003, ts: 7004 };

beforeAll(async () => {
  programs = buildPrograms(mkdtempSync(join(tmpdir(), "paddock-xdisc-")));
  server = await startServer();
  client = await connect(server.address, { sessionTimeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** Starts a registrar; resolves once it printed REGISTERED, with a function that ends it. */
function register(language: Language): Promise<() => Promise<void>> {
  const argv = programs.command(language, "discovery", {
    server: server.address,
    base: "/services",
    service: "orders",
    mode: "register",
    id: `${language}-1`,
    address: `10.0.0.${ports[language] - 7000}`,
    port: String(ports[language]),
  });
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("error", reject);
    void exited.then((code) => reject(new Error(`${language} registrar exited with ${code}: ${out}`)));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes(`REGISTERED ${language}-1\n`))
        resolve(async () => {
          child.stdin.end(); // the registrar unregisters and exits
          expect(await exited).toBe(0);
        });
    });
  });
}

describe("cross-language service discovery", () => {
  it("an instance registered in Go, Python, Java or TypeScript is found by the other languages", async () => {
    const discovery = new ServiceDiscovery(client, "/services");
    await discovery.register({ name: "orders", id: "ts-1", address: "10.0.0.4", port: ports.ts });
    const stops = await Promise.all(languages.map(register));
    const expected = (["go", "py", "java", "ts"] as const).map((language) => ({
      name: "orders",
      id: `${language}-1`,
      address: `10.0.0.${ports[language] - 7000}`,
      port: ports[language],
      sslPort: null,
      payload: null,
      serviceType: "DYNAMIC",
      uriSpec: null,
      enabled: true,
    }));
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    const found = (await discovery.queryForInstances("orders")).map(({ registrationTimeUTC, ...rest }) => {
      expect(registrationTimeUTC).toBeGreaterThan(0);
      return rest;
    });
    expect(found.sort(byId)).toEqual([...expected].sort(byId));
    for (const language of languages) {
      const argv = programs.command(language, "discovery", {
        server: server.address,
        base: "/services",
        service: "orders",
        mode: "find",
      });
      const lines = (await run(argv)).trim().split("\n");
      const instances = lines.map((line) => {
        const { registrationTimeUTC, ...rest } = JSON.parse(line) as {
          registrationTimeUTC: number;
          id: string;
        };
        expect(registrationTimeUTC, `${language} read ${line}`).toBeGreaterThan(0);
        return rest;
      });
      expect(instances.sort(byId), `instances found by ${language}`).toEqual([...expected].sort(byId));
    }
    await Promise.all(stops.map((stop) => stop()));
    await waitUntil("the registrars' instances to go", async () => {
      return (await discovery.queryForInstances("orders")).length === 1;
    });
    expect((await discovery.queryForInstances("orders")).map((i) => i.id)).toEqual(["ts-1"]);
  });
});
