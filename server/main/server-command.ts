import { applyKey, defaultConfig, finishConfig, loadZooCfg, type ServerConfig } from "./config.js";
import { stderrLog } from "./log.js";
import { startServer } from "./server.js";

export const serverUsage = `usage: paddock server [--config zoo.cfg] [--port N] [--host ADDR] [--data-dir DIR]
                      [--ready-file FILE] [--truncate-at-damage] [--set key=value]...
  With no arguments: embedded defaults (clientPort 2181, data under ./data).
  --set takes any zoo.cfg key and applies after the file.
  --truncate-at-damage starts even when the log is damaged before its tail, cutting it there.`;

export function parseServerArgs(args: string[], warn: (m: string) => void): ServerConfig {
  const config = defaultConfig();
  const sets: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${serverUsage}`);
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
        if (eq <= 0) throw new Error(`--set needs key=value, got ${kv}`);
        sets.push([kv.slice(0, eq), kv.slice(eq + 1)]);
        break;
      }
      case "-h":
      case "--help":
        throw new Error(serverUsage);
      default:
        throw new Error(`unknown argument ${arg}\n${serverUsage}`);
    }
  }
  for (const [k, v] of sets) applyKey(config, k, v, process.cwd(), warn);
  return finishConfig(config);
}

export async function serverCommand(args: string[]): Promise<number> {
  let config: ServerConfig;
  const early = stderrLog(0);
  try {
    config = parseServerArgs(args, (m) => early("warn", m));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const log = stderrLog(config.serverId);
  const running = await startServer(config, log);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log("info", `${signal}: shutting down`);
      void running.stop().then(resolve);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  return 0;
}
