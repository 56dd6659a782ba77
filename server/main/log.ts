import type { Log } from "./server.js";

/** One line per event on stderr, in ZooKeeper's log shape, so operators' greps carry over. */
export function stderrLog(serverId: number): Log {
  return (level, message) => {
    const stamp = new Date().toISOString().replace("T", " ").replace("Z", "").replace(".", ",");
    process.stderr.write(`${stamp} [myid:${serverId}] - ${level.toUpperCase()} ${message}\n`);
  };
}
