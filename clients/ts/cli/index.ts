/** zkCli-compatible command line for Paddock: `runCli(argv, io)` resolves to the exit code. */
export { commands, usageText } from "./commands.js";
export { errorLine, formatAcl, formatStat, javaDate } from "./format.js";
export { type CliIo, type CliOptions, runCli } from "./run-cli.js";
