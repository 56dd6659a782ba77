import { DiskFloor, describeLow } from "../persistence/disk-floor.js";
import type { ServerConfig } from "./config.js";
import type { Log } from "./server.js";

export interface DiskWatch {
  readonly floor: DiskFloor;
  stop(): void;
}

/**
 * Reads dataDir's and dataLogDir's free space at start and every paddock.diskCheckIntervalMs,
 * logging each change: below the floor the member refuses writes (the pipeline asks
 * `floor.refusal`), and it takes them again by itself once space returns. Without a floor
 * (paddock.diskFreeBytesMin=0 and no percentage) nothing is read.
 */
export function startDiskWatch(config: ServerConfig, log: Log): DiskWatch {
  const { freeBytesMin, freePercentMin, checkIntervalMs } = config.disk;
  const floor = new DiskFloor({
    dirs: [
      { name: "dataDir", path: config.dataDir },
      { name: "dataLogDir", path: config.dataLogDir },
    ],
    freeBytesMin,
    freePercentMin,
  });
  if (freeBytesMin === 0 && freePercentMin === 0) return { floor, stop: () => undefined };
  const check = (): void => {
    for (const d of floor.check()) {
      if (d.low) log("warn", `disk low: ${describeLow(d)}`);
      else
        log(
          "info",
          `disk space returned: ${d.name} ${d.path} has ${d.freeBytes} bytes free (floor ${d.floorBytes}): writes are accepted again`,
        );
    }
  };
  check();
  const failed = floor.dirs.filter((d) => d.error !== undefined);
  for (const d of failed)
    log("warn", `disk floor: cannot read free space of ${d.name} ${d.path}: ${d.error}`);
  const timer = setInterval(check, checkIntervalMs);
  timer.unref();
  return { floor, stop: () => clearInterval(timer) };
}
