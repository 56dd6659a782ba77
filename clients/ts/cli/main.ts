/** Entry used by `paddock cli`: runs the CLI on the process's stdio and returns the exit code. */
import { usageText } from "./commands.js";
import { runCli } from "./run-cli.js";

export async function main(args: string[]): Promise<number> {
  // zkCli has no --help (it would try it as a command); paddock's tools all answer it.
  if (args[0] === "--help" || args[0] === "-h") {
    process.stdout.write(
      `usage: paddock cli [-server host:port[,host:port...]] [-timeout ms] [command args...]\n` +
        "  Without a command: an interactive shell (zkCli's). The commands:\n" +
        usageText(),
    );
    return 0;
  }
  return runCli(args, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdin.isTTY === true,
  });
}
