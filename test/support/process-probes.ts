import { readFileSync } from "node:fs";
import { createConnection } from "node:net";

/** Whether a process with this pid exists (a zombie counts: it still has to be reaped). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** The command name of `pid` and its parent's pid, from /proc (Linux). */
export function procStat(pid: number): { comm: string; ppid: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const close = stat.lastIndexOf(")");
  return {
    comm: stat.slice(stat.indexOf("(") + 1, close),
    ppid: Number(stat.slice(close + 2).split(" ")[1]),
  };
}

/** True once nothing accepts connections on 127.0.0.1:port. */
export function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(false);
    });
    socket.once("error", () => done(true));
  });
}
