import { applyKey, defaultConfig, finishConfig, loadZooCfg, type ServerConfig } from "./config.js";
import { stderrLog } from "./log.js";
import { startServer } from "./server.js";
import { UsageError } from "./usage-error.js";

export function parseServerArgs(args: string[], warn: (m: string) => void): ServerConfig {
  const config = defaultConfig();
  const sets: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--config":
        loadZooCfg(value(), config, warn);
        break;
      case "--port":
        sets.push(["clientPort", value()]);
        break;
      case "--host":
        sets.push(["clientPortAddress", value()]);
        break;
      case "--data-dir": {
        const dir = value();
        sets.push(["dataDir", dir], ["dataLogDir", dir]);
        break;
      }
      case "--truncate-at-damage":
        // The operator accepts losing what follows damage in the log, to get the member back.
        config.truncateAtDamage = true;
        break;
      case "--ready-file":
        config.readyFile = value();
        break;
      case "--set": {
        const kv = value();
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new UsageError(`--set needs key=value, got ${kv}`);
        sets.push([kv.slice(0, eq), kv.slice(eq + 1)]);
        break;
      }
      default:
        // -h and --help never get here: paddock's dispatcher answers them for every command.
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  for (const [k, v] of sets) applyKey(config, k, v, process.cwd(), warn);
  return finishConfig(config);
}

/** Runs until SIGINT or SIGTERM (bin/paddock.js turns a vanished launcher into SIGTERM too). */
export async function serverCommand(args: string[]): Promise<number> {
  const early = stderrLog(0);
  const config: ServerConfig = parseServerArgs(args, (m) => early("warn", m));
  const log = stderrLog(config.serverId);
  // Listening before the start: a signal that arrives while the server starts (its ready file may
  // already be there) stops it once started, instead of killing it by the default action.
  const signalled = new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  const running = await startServer(config, log);
  log("info", `${await signalled}: shutting down`);
  await running.stop();
  return 0;
}
