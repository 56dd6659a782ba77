import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { repoRoot, runProcess } from "../support/run-process.js";

// What a user gets from the registry: clients/ts compiled (JS + .d.ts), packed with `npm pack`,
// installed into a scratch project (its dependencies from npm's cache or registry), type-checked
// against the declarations and run as examples/lock.ts with the package's import.
const work = mkdtempSync(join(tmpdir(), "paddock-ts-package-"));
const pkg = join(work, "pkg");
const app = join(work, "app");
let server: ServerHandle;
let tarball: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(async () => {
  server = await startServer();
  mkdirSync(pkg, { recursive: true });
  mkdirSync(app, { recursive: true });
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  run(
    process.execPath,
    [tsc, "-p", "clients/ts/tsconfig.build.json", "--outDir", join(pkg, "dist")],
    repoRoot,
  );
  cpSync(join(repoRoot, "clients/ts/package.json"), join(pkg, "package.json"));
  cpSync(join(repoRoot, "clients/ts/README.md"), join(pkg, "README.md"));
  // Built above already: --ignore-scripts skips prepack's in-place build.
  tarball = join(
    work,
    run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], pkg).trim(),
  );
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module" }),
  );
  run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], app);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("clients/ts as the package @paddock/client", () => {
  it("holds compiled JS, declarations and no server code", () => {
    const files = run("tar", ["tzf", tarball], work).trim().split("\n").sort();
    expect(files).toContain("package/dist/src/index.js");
    expect(files).toContain("package/dist/src/index.d.ts");
    expect(files).toContain("package/dist/src/recipes/lock.d.ts");
    expect(files).toContain("package/dist/gen/paddock/v1/session.js");
    expect(
      files.filter((f) => !/^package\/(dist\/(src|gen)\/.*\.(js|d\.ts)|package\.json|README\.md)$/.test(f)),
    ).toEqual([]);
    expect(files.some((f) => f.includes("server/") || f.includes("/cli/"))).toBe(false);
  });

  it("installs into a scratch project whose example type-checks and runs against a real server", async () => {
    const source = readFileSync(join(repoRoot, "examples/lock.ts"), "utf8");
    expect(source).toContain('from "../clients/ts/src/index.js"');
    writeFileSync(join(app, "lock.ts"), source.replace("../clients/ts/src/index.js", "@paddock/client"));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [join(repoRoot, "node_modules/@types")],
          types: ["node"],
        },
        files: ["lock.ts"],
      }),
    );
    run(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], app);
    // tsx from this repository strips the types; every import resolves inside the scratch project.
    const tsx = pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
    const result = await runProcess(
      process.execPath,
      ["--import", tsx, join(app, "lock.ts"), server.address],
      {
        timeoutMs: 30_000,
      },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n").at(-1)).toBe("final counter: 9");
  });
});
