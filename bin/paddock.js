#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): tsx compiles on load.
import { register } from "tsx/esm/api";

register();
const [command, ...args] = process.argv.slice(2);
const run =
  command === "cli"
    ? (await import("../clients/ts/cli/main.ts")).main
    : (await import("../server/main/cli.ts")).main;
const code = await run(command === "cli" ? args : process.argv.slice(2));
process.exitCode = code;
