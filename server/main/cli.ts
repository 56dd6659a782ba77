import { serverCommand } from "./server-command.js";

const usage = `usage: paddock <command> [args]
  server     start a server (paddock server --help)
  cli        zkCli-compatible shell: paddock cli -server host:port [command]`;

/** The `paddock` entry for server-side commands; bin/paddock.js routes `cli` to the client. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "server":
      return serverCommand(args);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(`${usage}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${command}\n${usage}\n`);
      return 2;
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
