import { configText } from "../util/server-line.js";
import type { ServerSpec } from "./server-spec.js";

/**
 * What `/zookeeper/config` shows for this zoo.cfg, as ZooKeeper 3.8 shows it for a static
 * configuration (pinned against it in test/e2e/zookeeper-config.test.ts): nothing on a standalone
 * server; on an ensemble one `server.N=host:quorum:election:participant|observer` line per member,
 * with `;clientHost:clientPort` only where the zoo.cfg line has a client part (a bare port gets
 * 0.0.0.0), then `version=0`, no trailing newline. Curator's EnsembleTracker replaces its connect
 * string with the client addresses found here, so nothing may appear that zoo.cfg did not say.
 */
export function zookeeperConfigText(servers: readonly ServerSpec[]): string {
  return servers.length === 0 ? "" : configText(servers, 0);
}
