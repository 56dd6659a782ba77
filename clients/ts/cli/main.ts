/** Entry used by `paddock cli`: runs the CLI on the process's stdio and returns the exit code. */
import { runCli } from "./run-cli.js";

export function main(args: string[]): Promise<number> {
  return runCli(args, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdin.isTTY === true,
  });
}
