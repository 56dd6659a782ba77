/**
 * `paddock cli [-server host:port] [-timeout ms] [command args...]`, zkCli-compatible: with a
 * command it runs it and exits with its code; without, it reads commands from stdin (with
 * zkCli's prompt when stdin is a terminal, none otherwise, as zkCli without JLine).
 */
import { createInterface } from "node:readline";
import { CliError, commands, usageText } from "./commands.js";
import { errorLine } from "./format.js";
import { CliParseError, parseOptions, tokenize } from "./parse-line.js";
import { type CliIo, ExitCode, Shell } from "./shell.js";

export type { CliIo } from "./shell.js";

export interface CliOptions {
  /** Time zone for Stat dates; default local (Java prints local time too). */
  timeZone?: string;
}

const defaultServer = "localhost:2181";
const defaultTimeoutMs = 30_000;

export async function runCli(argv: string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  let host = defaultServer;
  let timeoutMs = defaultTimeoutMs;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (rest.length === 0 && a === "-server" && argv[i + 1] !== undefined) host = argv[++i] ?? host;
    else if (rest.length === 0 && a === "-timeout" && argv[i + 1] !== undefined)
      timeoutMs = Number(argv[++i]);
    else if (rest.length === 0 && (a === "-r" || a === "-waitforconnection")) continue;
    else rest.push(a);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    io.stderr.write(`-timeout must be a positive integer\n`);
    return ExitCode.failed;
  }
  const shell = new Shell(io, host, { sessionTimeoutMs: timeoutMs, timeZone: options.timeZone });
  shell.outLine(`Connecting to ${host}`);
  if (rest.length > 0) {
    if (!(await shell.connect(host))) return ExitCode.failed;
    shell.history.push(rest.join(" "));
    await execute(shell, rest);
    await closeQuietly(shell);
    return shell.exitCode;
  }
  shell.outLine("Welcome to ZooKeeper!");
  shell.outLine(io.isTTY ? "JLine support is enabled" : "JLine support is disabled");
  await shell.connect(host);
  await interactive(shell);
  return shell.exitCode;
}

async function interactive(shell: Shell): Promise<void> {
  const lines = createInterface({
    input: shell.io.stdin,
    terminal: false,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const prompt = (): void => {
    if (shell.io.isTTY) shell.out(shell.prompt());
  };
  prompt();
  try {
    for await (const line of lines) {
      let tokens = tokenize(line);
      if (tokens.length === 0) {
        prompt();
        continue;
      }
      if (tokens[0] === "quit") {
        await shell.disconnect();
        return;
      }
      let text = line.trim();
      if (tokens[0] === "redo") {
        const n = Number(tokens[1]);
        const old = Number.isInteger(n) && n >= 0 && n < shell.commandCount ? shell.history[n] : undefined;
        if (old === undefined) {
          shell.errLine("Command index out of range");
          shell.exitCode = ExitCode.failed;
        } else if (old.trim().startsWith("redo")) {
          shell.errLine("No redoing redos");
          shell.exitCode = ExitCode.failed;
        } else {
          text = old;
          tokens = tokenize(old);
        }
      }
      shell.history[shell.commandCount] = text;
      if (tokens[0] !== "redo") await execute(shell, tokens);
      shell.commandCount++;
      prompt();
    }
  } finally {
    lines.close();
  }
  // End of input: leave as zkCli does, without a Closed notice.
  await closeQuietly(shell);
}

async function closeQuietly(shell: Shell): Promise<void> {
  shell.printWatches = false;
  await shell.disconnect();
}

/** Runs one command line; sets the shell's exit code as zkCli does. */
export async function execute(shell: Shell, tokens: readonly string[]): Promise<void> {
  const name = tokens[0] ?? "";
  const command = commands.get(name);
  if (command === undefined) {
    shell.io.stderr.write(usageText());
    shell.errLine(`Command not found: Command not found ${name}`);
    shell.exitCode = ExitCode.unknownCommand;
    return;
  }
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(tokens, command);
  } catch (error) {
    if (!(error instanceof CliParseError)) throw error;
    shell.errLine(error.message);
    shell.exitCode = ExitCode.failed;
    return;
  }
  if (parsed.args.length - 1 < command.minArgs) {
    shell.errLine(`${name} ${command.usage}`);
    shell.exitCode = ExitCode.failed;
    return;
  }
  const client = shell.client;
  if (command.session && (client === undefined || !shell.connected)) {
    shell.outLine("Not connected");
    shell.exitCode = ExitCode.failed;
    return;
  }
  try {
    await command.run(shell, parsed, client!);
    shell.exitCode = ExitCode.ok;
  } catch (error) {
    if (!(error instanceof CliError && error.message === "")) shell.errLine(errorLine(error));
    shell.exitCode = ExitCode.failed;
  }
}
