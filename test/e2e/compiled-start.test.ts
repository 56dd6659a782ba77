import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exited, waitForFile } from "../support/launcher.js";
import { repoRoot, runProcess } from "../support/run-process.js";

/**
 * The compiled start (scripts/build-dist.ts, bin/compiled.js): the bundles in dist/ run the server,
 * the CLI against it, the log worker (a write is durable), the descriptor images (reflection at
 * start) and the console page, all from their dist/ paths; and bin/paddock.js picks dist/ only
 * while the sources it was built from are unchanged.
 */
const node = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runProcess(process.execPath, args, { env: { ...process.env, ...env }, timeoutMs: 60_000 });

describe("dist/ bundles", () => {
  let stop: () => Promise<void> = async () => {};
  let port = 0;
  let adminPort = 0;

  beforeAll(async () => {
    const build = await node(["--import", "tsx", "scripts/build-dist.ts"]);
    expect(build.code, build.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "paddock-compiled-"));
    const readyFile = join(dir, "ready.json");
    const args = [join(repoRoot, "dist/server/cli.js"), "server", "--host", "127.0.0.1", "--port", "0"];
    args.push("--data-dir", dir, "--ready-file", readyFile);
    args.push("--set", "admin.serverPort=0", "--set", "metricsProvider.httpPort=0");
    // No tsx anywhere: a module that still needed TypeScript would fail to load.
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    await waitForFile(readyFile, child, 30_000, () => stderr);
    ({ port, adminPort } = JSON.parse(readFileSync(readyFile, "utf8")) as {
      port: number;
      adminPort: number;
    });
    stop = async () => {
      child.kill("SIGTERM");
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    };
  });

  afterAll(() => stop());

  it("the compiled CLI writes through the compiled server and reads it back", async () => {
    const cli = (...args: string[]) =>
      node([
        "--input-type=module",
        "-e",
        `const { main } = await import(${JSON.stringify(join(repoRoot, "dist/cli/main.js"))});` +
          `process.exitCode = await main(${JSON.stringify(["-server", `127.0.0.1:${port}`, ...args])});`,
      ]);
    expect((await cli("create", "/compiled", "yes")).code).toBe(0);
    const read = await cli("get", "/compiled");
    expect(read.stdout).toContain("yes\n");
  });

  it("the server and CLI bundles import only production dependencies (all deploy/Dockerfile installs)", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const files = [
      ...readdirSync(join(repoRoot, "dist/server"))
        .filter((f) => f.endsWith(".js"))
        .map((f) => join(repoRoot, "dist/server", f)),
      join(repoRoot, "dist/cli/main.js"),
    ];
    const imported = new Set<string>();
    const statement = /^\s*(?:import|export)\b[^"\n]*?(?:from\s*)?"([^"]+)";?$|\bimport\(\s*"([^"]+)"\s*\)/gm;
    for (const file of files) {
      for (const m of readFileSync(file, "utf8").matchAll(statement)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith(".") || spec.startsWith("node:")) continue;
        imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    for (const name of imported) expect(pkg.dependencies, name).toHaveProperty([name]);
  });

  it("serves the console page from dist/console (a path computed from the bundle's location)", async () => {
    const page = await fetch(`http://127.0.0.1:${adminPort}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });
});

describe("bin/paddock.js chooses dist/ only while it matches the sources", () => {
  const root = mkdtempSync(join(tmpdir(), "paddock-launcher-"));
  const source = join(root, "server/main/cli.ts");
  const fingerprint = (text: string) => ({
    size: Buffer.byteLength(text),
    mtimeMs: 1_000_000,
    sha1: createHash("sha1").update(text).digest("hex"),
  });

  beforeAll(() => {
    mkdirSync(join(root, "bin"), { recursive: true });
    for (const file of ["paddock.js", "compiled.js", "parent-watch.js"]) {
      copyFileSync(join(repoRoot, "bin", file), join(root, "bin", file));
    }
    writeFileSync(join(root, "package.json"), JSON.stringify({ version: "9.9.9", type: "module" }));
    mkdirSync(join(root, "server/main"), { recursive: true });
    writeFileSync(source, "export const x = 1;\n");
    utimesSync(source, 1000, 1000);
    mkdirSync(join(root, "dist/server"), { recursive: true });
    writeFileSync(
      join(root, "dist/server/cli.js"),
      "export async function main(argv) { console.log('compiled main', argv.join(' ')); return 3; }\n",
    );
    const inputs = { "server/main/cli.ts": fingerprint("export const x = 1;\n") };
    writeFileSync(
      join(root, "dist/build.json"),
      JSON.stringify({ version: 1, parts: { server: { entry: "server/cli.js", inputs } } }),
    );
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const launch = (...args: string[]) => node([join(root, "bin/paddock.js"), ...args]);
  const serverLine = async () =>
    (await launch("version")).stdout.split("\n").find((l) => l.includes("server:"));

  it("runs the compiled entry when the build is fresh", async () => {
    const r = await launch("server", "--flag");
    expect(r.stdout).toBe("compiled main server --flag\n");
    expect(r.code).toBe(3);
    expect(await serverLine()).toBe("  server: compiled JavaScript in dist/");
  });

  it("a source touched with the same bytes keeps the build (checkouts, npm run gen)", async () => {
    utimesSync(source, 2000, 2000);
    expect(await serverLine()).toBe("  server: compiled JavaScript in dist/");
  });

  it("an install without the TypeScript sources (the container image) runs dist/ as it is", async () => {
    renameSync(source, `${source}.away`);
    try {
      expect(await serverLine()).toBe("  server: compiled JavaScript in dist/");
    } finally {
      renameSync(`${source}.away`, source);
    }
  });

  it("a changed byte, a missing bundle or PADDOCK_FROM_SOURCE=1 means the sources", async () => {
    const fromSource = await node([join(root, "bin/paddock.js"), "version"], { PADDOCK_FROM_SOURCE: "1" });
    expect(fromSource.stdout).toContain("server: TypeScript sources through tsx (PADDOCK_FROM_SOURCE=1)");
    writeFileSync(source, "export const x = 2;\n");
    expect(await serverLine()).toBe(
      "  server: TypeScript sources through tsx (server/main/cli.ts changed since the build)",
    );
    writeFileSync(source, "export const x = 1;\n");
    unlinkSync(join(root, "dist/server/cli.js"));
    expect(await serverLine()).toContain("dist/server/cli.js is missing");
  });
});
