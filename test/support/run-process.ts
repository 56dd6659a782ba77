import { spawn } from "node:child_process";
import { resolve } from "node:path";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const repoRoot = resolve(import.meta.dirname, "../..");

/** Runs a command to completion, feeding `input` on stdin (then EOF); fails at the deadline. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${command} ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** `node bin/paddock.js cli -server <address> ...args` as a real child process. */
export function paddockCli(address: string, args: readonly string[], input?: string): Promise<ProcessResult> {
  return runProcess(process.execPath, ["bin/paddock.js", "cli", "-server", address, ...args], {
    input,
    env: { ...process.env, TZ: "UTC" },
  });
}
