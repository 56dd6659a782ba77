// Makes a paddock process stop when the process that started it is gone, by sending itself
// SIGTERM, so each command's own shutdown runs (the server closes its ports and log cleanly).
//
// Why: `npx paddock …`, `npm exec` and `npm run` start `sh -c paddock …`, and node runs under that
// shell. A SIGTERM or SIGINT sent to npm is forwarded to the shell only; the shell dies and the
// server, reparented, kept the port. And a process that is killed with SIGKILL (an ensemble's
// supervisor) cannot pass anything on. Polling the parent pid is the one signal-free way to see
// either: Linux has PR_SET_PDEATHSIG, but Node does not expose it.
//
// When: only when asked (PADDOCK_EXIT_WITH_PARENT=1, which `paddock ensemble` sets for its members)
// or when npm started us (npm sets npm_command). A server started by hand with `nohup … &` or by
// a service manager keeps running when its parent shell exits, as daemons do.
import { readFileSync } from "node:fs";

const shells = new Set(["sh", "dash", "bash", "zsh", "ash", "busybox"]);

/** The parent pid and command name of `pid` from /proc (Linux), undefined when gone or elsewhere. */
function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split at the last ")".
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    return { comm, ppid };
  } catch {
    return undefined;
  }
}

/** Whether this process should stop with its parent: asked for, or started through npm. */
export function wantsParentWatch(env = process.env) {
  return env.PADDOCK_EXIT_WITH_PARENT === "1" || env.npm_command !== undefined;
}

/**
 * Starts the watch: every `intervalMs`, whether the parent is still ours and, when the parent is
 * the shell npm put in between, whether that shell's parent (npm) is still its parent. The timer is
 * unref'd: it never keeps a finished command alive.
 */
export function watchParent(intervalMs = 500) {
  const parent = process.ppid;
  // Already adopted by init (or a container's pid 1): there is nothing to outlive.
  if (parent <= 1) return;
  const parentStat = procStat(parent);
  const launcher = parentStat !== undefined && shells.has(parentStat.comm) ? parentStat.ppid : undefined;
  const timer = setInterval(() => {
    const gone = process.ppid !== parent || (launcher !== undefined && procStat(parent)?.ppid !== launcher);
    if (!gone) return;
    clearInterval(timer);
    // The parent held our stdio's other ends: writing to them may now fail with EPIPE.
    process.stdout.on("error", () => {});
    process.stderr.on("error", () => {});
    process.stderr.write(
      `paddock: the process that started it (pid ${launcher ?? parent}) is gone; stopping\n`,
    );
    process.kill(process.pid, "SIGTERM");
  }, intervalMs);
  timer.unref();
}
