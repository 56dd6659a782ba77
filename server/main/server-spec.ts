import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./config-error.js";

/** One `server.N` line of zoo.cfg. */
export interface ServerSpec {
  readonly id: number;
  readonly host: string;
  /** Carries the internal gRPC PeerService (election, ZAB, forwarding). 0: bind an ephemeral port. */
  readonly quorumPort: number;
  /** Parsed and validated for zoo.cfg compatibility; unused (everything rides the quorum port). */
  readonly electionPort: number;
  readonly observer: boolean;
  readonly clientHost?: string;
  readonly clientPort?: number;
}

/** Server ids: ZooKeeper allows 1..255 in practice; the session id layout keeps 8 bits for it. */
const serverIdMax = 255;

function port(key: string, what: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535)
    throw new ConfigError(`zoo.cfg: ${key}: ${what} "${text}" is not a port`);
  return n;
}

/**
 * `server.N=host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]`, as
 * ZooKeeper 3.5+ writes it.
 */
export function parseServerSpec(key: string, value: string): ServerSpec {
  const idText = key.slice("server.".length);
  const id = Number(idText);
  if (!/^\d+$/.test(idText) || id < 1 || id > serverIdMax) {
    throw new ConfigError(`zoo.cfg: ${key}: server id must be an integer from 1 to ${serverIdMax}`);
  }
  const [peerPart = "", clientPart] = value.split(";");
  const parts = peerPart.split(":");
  if (parts.length < 3 || parts.length > 4 || parts[0] === "") {
    throw new ConfigError(
      `zoo.cfg: ${key}=${value}: expected host:quorumPort:electionPort[:participant|:observer]`,
    );
  }
  const role = parts[3] ?? "participant";
  if (role !== "participant" && role !== "observer") {
    throw new ConfigError(`zoo.cfg: ${key}=${value}: role "${role}" must be participant or observer`);
  }
  const spec: ServerSpec = {
    id,
    host: parts[0]!,
    quorumPort: port(key, "quorum port", parts[1]!),
    electionPort: port(key, "election port", parts[2]!),
    observer: role === "observer",
  };
  if (clientPart === undefined || clientPart === "") return spec;
  const colon = clientPart.lastIndexOf(":");
  const clientPort = port(key, "client port", clientPart.slice(colon + 1));
  return colon < 0
    ? { ...spec, clientPort }
    : { ...spec, clientHost: clientPart.slice(0, colon), clientPort };
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
