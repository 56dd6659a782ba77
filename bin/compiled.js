// Whether dist/ holds a build of a part (server, cli, bench) made from the sources as they are now.
// scripts/build-dist.ts records each source's size, mtime and SHA-1 in dist/build.json. A source
// whose mtime moved is hashed, so a checkout or `npm run gen` that rewrites files with the same
// bytes keeps the build; any changed byte makes bin/paddock.js run the TypeScript sources instead,
// so a developer never runs stale code. Checking ~300 files costs a few milliseconds. An install
// that ships dist/ without the TypeScript sources (deploy/Containerfile) runs dist/ as it is.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The manifest, or undefined when there is no build (a fresh clone before `npm install`). */
export function readManifest(root) {
  try {
    return JSON.parse(readFileSync(join(root, "dist/build.json"), "utf8"));
  } catch {
    return undefined;
  }
}

const exists = (path) => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * { entry } (absolute path of the compiled entry) when it is fresh or there are no sources
 * (`sourceEntry`, relative to root, is absent), else { stale } saying why.
 */
export function compiledEntry(root, part, sourceEntry, manifest = readManifest(root)) {
  const built = manifest?.parts?.[part];
  if (built === undefined) return { stale: "no build in dist/ (npm run build)" };
  const entry = join(root, "dist", built.entry);
  if (!exists(entry)) return { stale: `dist/${built.entry} is missing (npm run build)` };
  if (!exists(join(root, sourceEntry))) return { entry };
  for (const [path, was] of Object.entries(built.inputs)) {
    let stat;
    try {
      stat = statSync(join(root, path));
    } catch {
      return { stale: `${path} is gone since the build` };
    }
    if (stat.size !== was.size) return { stale: `${path} changed since the build` };
    if (stat.mtimeMs === was.mtimeMs) continue;
    const sha1 = createHash("sha1")
      .update(readFileSync(join(root, path)))
      .digest("hex");
    if (sha1 !== was.sha1) return { stale: `${path} changed since the build` };
  }
  return { entry };
}
