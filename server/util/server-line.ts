/**
 * The `server.N=host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]`
 * line of zoo.cfg, of a dynamic configuration file, of `/zookeeper/config` and of reconfig's
 * arguments, as ZooKeeper 3.5+ writes it. Pure, so the pipeline (reconfig), the tree (applying a
 * reconfig) and the composition root (zoo.cfg) read and write one format.
 */
export interface ServerLine {
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

/** A malformed server line; the message names the key and the part that is wrong. */
export class ServerLineError extends Error {}

/** Server ids: ZooKeeper allows 1..255 in practice; the session id layout keeps 8 bits for it. */
export const serverIdMax = 255;

function port(key: string, what: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new ServerLineError(`${key}: ${what} "${text}" is not a port`);
  return n;
}

/** Parses one line given as its key (`server.N`) and value. */
export function parseServerLine(key: string, value: string): ServerLine {
  const idText = key.slice("server.".length);
  const id = Number(idText);
  if (!key.startsWith("server.") || !/^\d+$/.test(idText) || id < 1 || id > serverIdMax) {
    throw new ServerLineError(`${key}: server id must be an integer from 1 to ${serverIdMax}`);
  }
  const [peerPart = "", clientPart] = value.split(";");
  const parts = peerPart.split(":");
  if (parts.length < 3 || parts.length > 4 || parts[0] === "") {
    throw new ServerLineError(
      `${key}=${value}: expected host:quorumPort:electionPort[:participant|:observer]`,
    );
  }
  const role = parts[3] ?? "participant";
  if (role !== "participant" && role !== "observer") {
    throw new ServerLineError(`${key}=${value}: role "${role}" must be participant or observer`);
  }
  const line: ServerLine = {
    id,
    host: parts[0]!,
    quorumPort: port(key, "quorum port", parts[1]!),
    electionPort: port(key, "election port", parts[2]!),
    observer: role === "observer",
  };
  if (clientPart === undefined || clientPart === "") return line;
  const colon = clientPart.lastIndexOf(":");
  const clientPort = port(key, "client port", clientPart.slice(colon + 1));
  return colon < 0
    ? { ...line, clientPort }
    : { ...line, clientHost: clientPart.slice(0, colon), clientPort };
}

/** `server.N=host:quorum:election:role`, with `;clientHost:clientPort` only where there is a client part (a bare port gets 0.0.0.0). */
export function formatServerLine(s: ServerLine): string {
  const peer = `server.${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.observer ? "observer" : "participant"}`;
  return s.clientPort === undefined ? peer : `${peer};${s.clientHost ?? "0.0.0.0"}:${s.clientPort}`;
}

/**
 * A configuration as `/zookeeper/config` and the dynamic configuration file hold it: the lines by
 * id, then `version=<hex>` (the zxid that committed it; 0 for a static zoo.cfg), no trailing newline.
 */
export function configText(lines: readonly ServerLine[], version: number): string {
  const sorted = [...lines].sort((a, b) => a.id - b.id).map(formatServerLine);
  return `${sorted.join("\n")}\nversion=${version.toString(16)}`;
}

/** Reads configText's format back (blank lines and `#` comments ignored). */
export function parseConfigText(text: string): { members: ServerLine[]; version: number } {
  const members: ServerLine[] = [];
  let version = 0;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    const value = eq < 0 ? "" : line.slice(eq + 1).trim();
    if (key === "version") {
      if (!/^[0-9a-fA-F]{1,16}$/.test(value)) throw new ServerLineError(`version=${value}: not a hex zxid`);
      version = Number.parseInt(value, 16);
    } else members.push(parseServerLine(key, value));
  }
  return { members, version };
}
