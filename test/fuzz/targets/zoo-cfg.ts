// Fuzz target zoo-cfg: zoo.cfg text through parseZooCfg and finishConfig, as `paddock server --config`.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, finishConfig, parseZooCfg, type ServerConfig } from "../../../server/main/config.js";
import { ConfigError } from "../../../server/main/config-error.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";

/** An empty directory as the file's folder: relative dataDir values land here, and no myid exists. */
const BASE = mkdtempSync(join(tmpdir(), "paddock-fuzz-cfg-"));

const SAMPLE = `# a three-member ensemble, as ZooKeeper's docs write it
tickTime=2000
initLimit=10
syncLimit=5
dataDir=data
dataLogDir=/tmp/log
clientPort=2181
clientPortAddress=0.0.0.0
minSessionTimeout=4000
maxSessionTimeout=40000
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
preAllocSize=65536
snapCount=100000
forceSync=yes
jute.maxbuffer=1048575
maxClientCnxns=60
extendedTypesEnabled=true
4lw.commands.whitelist=srvr, ruok
admin.enableServer=false
admin.serverPort=8080
paddock.serverId=2
server.1=127.0.0.1:2888:3888
server.2=127.0.0.1:2889:3889;127.0.0.1:2182
server.3=127.0.0.1:2890:3890:observer;2183
! a properties comment
peerType=participant
`;

/** The config's numbers: each must be a safe integer, whatever text it came from. */
function numbers(config: ServerConfig): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(config)) if (typeof v === "number") out.push([k, v]);
  for (const [k, v] of Object.entries(config.limits)) out.push([`limits.${k}`, v]);
  for (const s of config.servers) {
    out.push([`server.${s.id}.quorumPort`, s.quorumPort], [`server.${s.id}.electionPort`, s.electionPort]);
    if (s.clientPort !== undefined) out.push([`server.${s.id}.clientPort`, s.clientPort]);
  }
  return out;
}

export function fuzzZooCfg(bytes: Buffer): void {
  const config = defaultConfig();
  try {
    parseZooCfg(bytes.toString("utf8"), config, BASE, () => {});
    finishConfig(config);
  } catch (e) {
    if (e instanceof ConfigError && e.message.length > 0 && e.message.length < 600) return;
    throw e;
  }
  for (const [key, n] of numbers(config)) {
    if (!Number.isSafeInteger(n))
      throw new Error(`zoo.cfg accepted, but ${key} is ${n}: not an exact integer`);
  }
}

export const zooCfg: FuzzTarget = {
  name: "zoo-cfg",
  seeds: () => [
    Buffer.from(SAMPLE),
    Buffer.from("tickTime=100\nserver.1=localhost:1:2\nserver.2=h:3:4:observer\n"),
  ],
  fuzz: fuzzZooCfg,
  dictionary: [
    ...SAMPLE.split("\n")
      .filter((l) => l.includes("="))
      .map((l) => Buffer.from(`${l.slice(0, l.indexOf("="))}=`)),
    ...[
      "\n",
      "=",
      ":",
      ";",
      " ",
      "-1",
      "0",
      "1e3",
      "0x10",
      "99999999999999999999",
      "1.5",
      "NaN",
      "observer",
    ].map((t) => Buffer.from(t)),
  ],
};
