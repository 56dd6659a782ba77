import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { type FileLayer, nodeFiles, replaceFileDurably } from "./file-layer.js";

/**
 * The dynamic configuration file (ZooKeeper's zoo.cfg.dynamic): the committed members as
 * `server.N=` lines and `version=<hex zxid>`. Written on every member whenever a reconfig commits,
 * atomically (temp file, fsync, rename, fsync of the directory), so an operator or a restart never
 * reads half a configuration. Undefined when the file does not exist.
 */
export function readDynamicConfigText(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

export function writeDynamicConfigText(path: string, text: string, files: FileLayer = nodeFiles): void {
  replaceFileDurably(files, dirname(path), path, new TextEncoder().encode(`${text}\n`));
}
