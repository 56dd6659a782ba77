import { ConfigError } from "./config-error.js";
import { UsageError } from "./usage-error.js";
import {
  backupUsage,
  ensembleUsage,
  logDumpUsage,
  purgeUsage,
  restoreUsage,
  serverUsage,
  snapshotInspectUsage,
  paddockUsage as usage,
} from "./usage-text.js";

interface Command {
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

// Each command's module is imported when it runs, so help and a bad command line stay fast.
const commands: Record<string, Command> = {
  server: { usage: serverUsage, run: async (a) => (await import("./server-command.js")).serverCommand(a) },
  ensemble: {
    usage: ensembleUsage,
    run: async (a) => (await import("./ensemble-command.js")).ensembleCommand(a),
  },
  backup: { usage: backupUsage, run: async (a) => (await import("./backup-command.js")).backupCommand(a) },
  restore: { usage: restoreUsage, run: async (a) => (await import("./backup-command.js")).restoreCommand(a) },
  purge: { usage: purgeUsage, run: async (a) => (await import("./tools-command.js")).purgeCommand(a) },
  log: { usage: logDumpUsage, run: async (a) => (await import("./tools-command.js")).logCommand(a) },
  snapshot: {
    usage: snapshotInspectUsage,
    run: async (a) => (await import("./tools-command.js")).snapshotCommand(a),
  },
};

const isHelp = (arg: string | undefined): boolean => arg === "-h" || arg === "--help";

/**
 * The `paddock` entry for server-side commands (bin/paddock.js routes `cli`, `bench` and
 * `version`). Help goes to stdout with exit 0; a bad command line is one line on stderr and exit
 * 2; any other failure one line and exit 1 (the stack with PADDOCK_DEBUG=1).
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (name === "help" || isHelp(name)) {
    const topic = args[0] === undefined ? undefined : commands[args[0]];
    process.stdout.write(`${topic?.usage ?? usage}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`paddock: unknown command ${name} (paddock help lists the commands)\n`);
    return 2;
  }
  if (args.some(isHelp)) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    const bad = error instanceof UsageError || error instanceof ConfigError;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`paddock ${name}: ${message}${bad ? ` (paddock ${name} --help)` : ""}\n`);
    if (process.env.PADDOCK_DEBUG === "1" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return bad ? 2 : 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
