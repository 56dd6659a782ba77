import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseServerLine, type ServerLine, ServerLineError } from "../util/server-line.js";
import { ConfigError } from "./config-error.js";

/** One `server.N` line of zoo.cfg. */
export type ServerSpec = ServerLine;

/** parseServerLine with zoo.cfg's ConfigError. */
export function parseServerSpec(key: string, value: string): ServerSpec {
  try {
    return parseServerLine(key, value);
  } catch (error) {
    if (error instanceof ServerLineError) throw new ConfigError(`zoo.cfg: ${error.message}`);
    throw error;
  }
}

/** Checks the member list as a whole and finds this member's id (myid, as ZooKeeper). */
export function resolveMembers(
  servers: readonly ServerSpec[],
  dataDir: string,
  explicitId: number | undefined,
): number {
  const ids = new Set<number>();
  for (const s of servers) {
    if (ids.has(s.id)) throw new ConfigError(`zoo.cfg: server.${s.id} is given twice`);
    ids.add(s.id);
  }
  if (!servers.some((s) => !s.observer))
    throw new ConfigError("zoo.cfg: an ensemble needs at least one participant");
  let id = explicitId;
  if (id === undefined) {
    const file = join(dataDir, "myid");
    if (!existsSync(file))
      throw new ConfigError(
        `${file} is missing: write this member's server id there (server.N lines are set)`,
      );
    const text = readFileSync(file, "utf8").trim();
    id = Number(text);
    if (!/^\d+$/.test(text)) throw new ConfigError(`${file}: "${text.slice(0, 20)}" is not a server id`);
  }
  if (!ids.has(id)) throw new ConfigError(`server id ${id} has no server.${id} line in zoo.cfg`);
  return id;
}
