import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, DubboApplications, DubboRegistry } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";
import { buildPrograms, type Language, type Programs, run } from "./cross-language-programs.js";

// Dubbo's two ZooKeeper layouts (docs/RECIPES.md) across the four clients. Application level:
// each language registers an application instance and maps one interface to it, all at once (the
// mapping is a compare-and-set append, so no application may be lost). Interface level: each
// registers a provider URL. Every language finds all four.
let server: ServerHandle;
let programs: Programs;
let client: Client;
const IFACE = "org.example.Greeter";
const languages: Language[] = ["go", "py", "java"];
const ports: Record<Language | "ts", number> = { go: 20881, py: 20882, java: 20883, ts: 20884 };

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

beforeAll(async () => {
  programs = buildPrograms(mkdtempSync(join(tmpdir(), "paddock-xdubbo-")));
  server = await startServer();
  client = await connect(server.address, { sessionTimeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** Starts a registrar; resolves once it printed REGISTERED, with a function that ends it. */
function register(
  language: Language,
  mode: "dubbo-register" | "dubbo-url-register" = "dubbo-register",
): Promise<() => Promise<void>> {
  const argv = programs.command(language, "discovery", {
    server: server.address,
    base: "/services",
    service: IFACE,
    mode,
    id: `${language}-app`,
    address: `10.0.0.${ports[language] - 20880}`,
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
      if (out.includes(`REGISTERED ${language}-app\n`))
        resolve(async () => {
          child.stdin.end(); // the registrar unregisters and exits
          expect(await exited).toBe(0);
        });
    });
  });
}

describe("cross-language Dubbo registry", () => {
  it("instances registered in Go, Python, Java and TypeScript are all mapped and found by every language", async () => {
    const apps = new DubboApplications(client);
    const [stops] = await Promise.all([
      Promise.all(languages.map((l) => register(l))),
      apps.register({ app: "ts-app", address: "10.0.0.4", port: ports.ts }, [IFACE]),
    ]);
    const expected = (["go", "py", "java", "ts"] as const)
      .map((language) => ({
        app: `${language}-app`,
        id: `10.0.0.${ports[language] - 20880}:${ports[language]}`,
        address: `10.0.0.${ports[language] - 20880}`,
        port: ports[language],
        metadata: {
          "dubbo.endpoints": JSON.stringify([{ port: ports[language], protocol: "dubbo" }]),
          // Every client makes the revision alike: the MD5 of "app|port|protocol|interfaces".
          "dubbo.metadata.revision": md5(`${language}-app|${ports[language]}|dubbo|${IFACE}`),
          "dubbo.metadata.storage-type": "remote",
        },
      }))
      .sort((a, b) => (a.app < b.app ? -1 : 1));
    expect((await apps.applicationsOf(IFACE)).sort()).toEqual(expected.map((e) => e.app));
    const byApp = (a: { app: string }, b: { app: string }) => (a.app < b.app ? -1 : 1);
    const found = (await apps.providersOf(IFACE)).map(({ registrationTimeUTC, ...rest }) => {
      expect(registrationTimeUTC).toBeGreaterThan(0);
      return rest;
    });
    expect(found.sort(byApp)).toEqual(expected);
    for (const { app, port, metadata } of expected) {
      const report = await client.getData(`/dubbo/metadata/${app}/${metadata["dubbo.metadata.revision"]}`);
      expect(JSON.parse(Buffer.from(report.data).toString("utf8")), `${app}'s metadata report`).toEqual({
        app,
        revision: metadata["dubbo.metadata.revision"],
        services: {
          [`${IFACE}:dubbo`]: {
            name: IFACE,
            params: { side: "provider", interface: IFACE, application: app, dubbo: "2.0.2" },
            path: IFACE,
            port,
            protocol: "dubbo",
          },
        },
      });
    }
    for (const language of languages) {
      const argv = programs.command(language, "discovery", {
        server: server.address,
        base: "/services",
        service: IFACE,
        mode: "dubbo-find",
      });
      const lines = (await run(argv)).trim().split("\n");
      const instances = lines.map((line) => JSON.parse(line) as { app: string });
      expect(instances.sort(byApp), `instances found by ${language}`).toEqual(expected);
    }
    await Promise.all(stops.map((stop) => stop()));
    await waitUntil("the registrars' instances to go", async () => {
      return (await apps.providersOf(IFACE)).length === 1;
    });
    expect((await apps.providersOf(IFACE)).map((i) => i.app)).toEqual(["ts-app"]);
  });

  it("provider URLs registered in Go, Python, Java and TypeScript are found by every language", async () => {
    const registry = new DubboRegistry(client);
    const url = (language: Language | "ts") => {
      const at = `10.0.0.${ports[language] - 20880}:${ports[language]}`;
      return `dubbo://${at}/${IFACE}?application=${language}-app&interface=${IFACE}&side=provider`;
    };
    const [stops] = await Promise.all([
      Promise.all(languages.map((l) => register(l, "dubbo-url-register"))),
      registry.register(url("ts")),
    ]);
    const expected = (["go", "py", "java", "ts"] as const).map(url).sort();
    expect(await registry.lookup(IFACE)).toEqual(expected);
    for (const language of languages) {
      const argv = programs.command(language, "discovery", {
        server: server.address,
        base: "/services",
        service: IFACE,
        mode: "dubbo-url-find",
      });
      expect((await run(argv)).trim().split("\n"), `URLs found by ${language}`).toEqual(expected);
    }
    await Promise.all(stops.map((stop) => stop()));
    expect(await registry.lookup(IFACE)).toEqual([url("ts")]);
  });
});
