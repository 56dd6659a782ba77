import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { classpath } from "./runner.js";

/**
 * Drives java/RecipesInterop.java: one JVM with one Curator client; `ask` sends a command line and
 * resolves with the next stdout line starting with `reply` (an `error …` line rejects). Lines the
 * JVM prints on its own (latch leader / not-leader) are kept and can be awaited the same way.
 */
export interface CuratorDriver {
  ask(command: string, reply: string, timeoutMs?: number): Promise<string>;
  next(reply: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startCuratorDriver(connect: string): Promise<CuratorDriver> {
  const child: ChildProcess = spawn(
    "java",
    ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classpath, "RecipesInterop", connect],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (c: string) => {
    stderr += c;
  });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  /** Hands lines to waiters (an `error …` line to the first waiter) until nothing matches. */
  const offer = (): void => {
    for (let matched = true; matched && waiters.length > 0; ) {
      matched = false;
      const error = lines.findIndex((l) => l.startsWith("error "));
      if (error >= 0) {
        const w = waiters.shift()!;
        w.reject(new Error(`Curator side: ${lines.splice(error, 1)[0]}\n${stderr.slice(-2000)}`));
        matched = true;
        continue;
      }
      for (let i = 0; i < waiters.length && !matched; i++) {
        const w = waiters[i]!;
        const at = lines.findIndex((l) => l.startsWith(w.prefix));
        if (at < 0) continue;
        waiters.splice(i, 1);
        w.resolve(lines.splice(at, 1)[0]!);
        matched = true;
      }
    }
  };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    offer();
  });
  const next = (prefix: string, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiters.indexOf(entry);
        if (i >= 0) waiters.splice(i, 1);
        reject(
          new Error(`no '${prefix}' from the Curator side within ${timeoutMs} ms\n${stderr.slice(-2000)}`),
        );
      }, timeoutMs);
      const entry = {
        prefix,
        resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      waiters.push(entry);
      offer();
    });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await next("ready", 60_000);
  return {
    next,
    ask(command, reply, timeoutMs) {
      child.stdin!.write(`${command}\n`);
      return next(reply, timeoutMs);
    },
    async stop() {
      child.stdin!.end("quit\n");
      await exited;
    },
  };
}
