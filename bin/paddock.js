#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): tsx compiles on load.
import { register } from "tsx/esm/api";

register();
const [command, ...args] = process.argv.slice(2);
// The client shell and the load generator live outside server/; everything else is the server's.
const own = { cli: "../clients/ts/cli/main.ts", bench: "../bench/main.ts" }[command];
const run = (await import(own ?? "../server/main/cli.ts")).main;
const code = await run(own ? args : process.argv.slice(2));
process.exitCode = code;
