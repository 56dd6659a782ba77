/**
 * Compiles the server, the CLI and the bench to JavaScript under dist/ (run by `npm run build`, and
 * by npm's `prepare`, so an install has it), and writes dist/build.json: for each part, its entry
 * and the size, mtime and SHA-1 of every source it was built from. bin/paddock.js runs a part from
 * dist/ only while those sources are unchanged, else from TypeScript through tsx.
 *
 * Why: loading tsx and compiling a few hundred modules at every start cost ~0.5 s of each
 * `paddock` command (measured in README). Each part is one esbuild bundle (node_modules stay
 * external), so start-up also skips resolving and reading hundreds of files.
 *
 * Paths the sources compute from import.meta.url:
 * - server: every such module is server/<folder>/<file>.ts, and the bundle is dist/server/cli.js,
 *   at the same depth, so "../gen/x.binpb", "../../dist/console/", "../../bin/paddock.js",
 *   "./log-worker.js" and "../persistence/test-seam-disk.js" resolve inside dist/ as in the tree:
 *   dist/gen holds copies of the descriptor images, the worker and the seam get bundles of their
 *   own. The build fails if a module using import.meta sits at another depth.
 * - bench: it starts servers and workers from TypeScript sources itself, so each of its modules
 *   keeps its source location: import.meta.url/dirname are replaced by the source file's.
 * - cli: uses none.
 */
import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "dist");

interface Part {
  /** dist/<entry> is what bin/paddock.js imports. */
  readonly entry: string;
  readonly entryPoints: Record<string, string>;
  readonly plugins?: Plugin[];
  /** Shared and lazily imported code in chunks (ESM splitting), named by this esbuild pattern. */
  readonly chunkNames?: string;
}

/** Replaces import.meta.url and import.meta.dirname by the source file's own (see above). */
const keepSourceLocation: Plugin = {
  name: "keep-source-location",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8")
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)));
      return { contents: text, loader: "ts" };
    });
  },
};

const parts: Record<string, Part> = {
  server: {
    entry: "server/cli.js",
    // Chunks in dist/server/: the depth the paths above assume. `paddock help` and each tool load
    // only their chunks, not the whole server.
    chunkNames: "server/[name]-[hash]",
    entryPoints: {
      "server/cli": "server/main/cli.ts",
      "server/log-worker": "server/persistence/log-worker.ts",
      "persistence/test-seam-disk": "server/persistence/test-seam-disk.ts",
    },
  },
  cli: { entry: "cli/main.js", entryPoints: { "cli/main": "clients/ts/cli/main.ts" } },
  bench: {
    entry: "bench/main.js",
    entryPoints: { "bench/main": "bench/main.ts" },
    plugins: [keepSourceLocation],
  },
};

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  write: false,
  metafile: true,
  logLevel: "warning",
  outdir: out,
  absWorkingDir: root,
};

/** Writes next to the target, then renames: a paddock starting meanwhile never reads half a file. */
function writeAtomically(file: string, contents: Uint8Array | string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, file);
}

function fingerprint(path: string): { size: number; mtimeMs: number; sha1: string } {
  const bytes = readFileSync(join(root, path));
  const { size, mtimeMs } = statSync(join(root, path));
  return { size, mtimeMs, sha1: createHash("sha1").update(bytes).digest("hex") };
}

/** Chunks of earlier builds (their names carry a content hash): only this build's are imported. */
function removeOldChunks(written: string[]): void {
  const dir = join(out, "server");
  for (const name of readdirSync(dir)) {
    if (!written.includes(join(dir, name)) && /-[A-Z0-9]{8}\.js(\.map)?$/.test(name)) rmSync(join(dir, name));
  }
}

/** The server bundle's relative paths hold only for modules at server/<folder>/<file>.ts. */
function checkServerDepth(metafile: Metafile): void {
  for (const input of Object.keys(metafile.inputs)) {
    if (!input.endsWith(".ts") || !readFileSync(join(root, input), "utf8").includes("import.meta")) continue;
    const depth = input.split("/").length;
    if (!input.startsWith("server/") || depth !== 3) {
      throw new Error(
        `${input} uses import.meta but is not at server/<folder>/<file>.ts: see scripts/build-dist.ts`,
      );
    }
  }
}

type Manifest = Record<string, { entry: string; inputs: Record<string, ReturnType<typeof fingerprint>> }>;
const previous = (() => {
  try {
    return (JSON.parse(readFileSync(join(out, "build.json"), "utf8")) as { parts: Manifest }).parts;
  } catch {
    return {};
  }
})();
const manifest: Manifest = { ...previous };
const failed: string[] = [];
for (const [name, part] of Object.entries(parts)) {
  // A part that does not build (a tree in the middle of an edit) leaves the manifest: bin/paddock.js
  // then runs its sources, never a bundle that does not match them.
  delete manifest[name];
  try {
    const result = await build({
      ...common,
      entryPoints: part.entryPoints,
      plugins: part.plugins ?? [],
      ...(part.chunkNames ? { splitting: true, chunkNames: part.chunkNames } : {}),
    });
    const { metafile, outputFiles } = result as typeof result & {
      metafile: Metafile;
      outputFiles: { path: string; contents: Uint8Array }[];
    };
    if (name === "server") checkServerDepth(metafile);
    for (const file of outputFiles) writeAtomically(file.path, file.contents);
    if (part.chunkNames) removeOldChunks(outputFiles.map((f) => f.path));
    const inputs = Object.keys(metafile.inputs).filter((p) => !p.split(sep).includes("node_modules"));
    manifest[name] = {
      entry: part.entry,
      inputs: Object.fromEntries(inputs.sort().map((p) => [p, fingerprint(p)])),
    };
  } catch (error) {
    failed.push(name);
    console.error(`${name}: ${(error as Error).message}`);
  }
}
for (const image of ["paddock-v1.binpb", "grpc-health-v1.binpb"]) {
  mkdirSync(join(out, "gen"), { recursive: true });
  copyFileSync(join(root, "server/gen", image), join(out, "gen", image));
}
writeAtomically(join(out, "build.json"), `${JSON.stringify({ version: 1, parts: manifest }, null, 1)}\n`);
const built = Object.keys(parts).filter((name) => !failed.includes(name));
console.log(`compiled into ${relative(root, out)}/: ${built.join(", ") || "nothing"}`);
if (failed.length > 0) {
  console.error(`not compiled: ${failed.join(", ")} (bin/paddock.js runs their TypeScript sources)`);
  process.exitCode = 1;
}
