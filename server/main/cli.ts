import { ensembleCommand } from "./ensemble-command.js";
import { serverCommand } from "./server-command.js";
import { fileToolCommand, purgeCommand } from "./tools-command.js";

const usage = `usage: paddock <command> [args]
  server            start a server (paddock server --help)
  ensemble          start a local ensemble, one process per member (paddock ensemble --help)
  cli               zkCli-compatible shell: paddock cli -server host:port [command]
  purge             remove old snapshots and logs: paddock purge [--config zoo.cfg | --data-dir D] [-n 3]
  log dump F        print the records of a log segment
  snapshot inspect F  print a snapshot's zxid, node count, digest and sessions
  bench             load generator (paddock bench --help)`;

/** The `paddock` entry for server-side commands; bin/paddock.js routes `cli` to the client. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "server":
      return serverCommand(args);
    case "ensemble":
      return ensembleCommand(args);
    case "purge":
      return purgeCommand(args);
    case "log":
    case "snapshot":
      return fileToolCommand(command, args);
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
