#!/usr/bin/env node
// The `paddock` command. Runs the compiled JavaScript in dist/ (npm's `prepare` builds it) when it
// was built from the sources as they are; otherwise, or with PADDOCK_FROM_SOURCE=1, the TypeScript
// sources through tsx (slower to start, always current): see bin/compiled.js.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { compiledEntry } from "./compiled.js";
import { wantsParentWatch, watchParent } from "./parent-watch.js";

const root = dirname(import.meta.dirname);
const [command, ...args] = process.argv.slice(2);
// The client shell and the load generator live outside server/; everything else is the server's.
const part = command === "cli" || command === "bench" ? command : "server";
const sources = { server: "server/main/cli.ts", cli: "clients/ts/cli/main.ts", bench: "bench/main.ts" };

const fromSource = process.env.PADDOCK_FROM_SOURCE === "1";
const compiled = fromSource ? { stale: "PADDOCK_FROM_SOURCE=1" } : compiledEntry(root, part, sources[part]);

if (command === "version" || command === "--version") {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  process.stdout.write(`paddock ${version} (node ${process.version})\n`);
  for (const name of Object.keys(sources)) {
    const built = fromSource ? compiled : compiledEntry(root, name, sources[name]);
    const how = built.entry
      ? "compiled JavaScript in dist/"
      : `TypeScript sources through tsx (${built.stale})`;
    process.stdout.write(`  ${name}: ${how}\n`);
  }
  process.exit(0);
}

if (wantsParentWatch()) watchParent();

let entry = compiled.entry;
if (entry === undefined) {
  const { register } = await import("tsx/esm/api");
  register();
  entry = join(root, sources[part]);
}

try {
  const { main } = await import(pathToFileURL(entry).href);
  process.exitCode = await main(part === "server" ? process.argv.slice(2) : args);
} catch (error) {
  // Commands report their own errors; this is the backstop: one line, the stack on request.
  const debug = process.env.PADDOCK_DEBUG === "1";
  process.stderr.write(
    `paddock: ${debug && error instanceof Error ? error.stack : (error?.message ?? error)}\n`,
  );
  process.exitCode = 1;
}
