import type { BenchOptions, TargetName } from "../args.js";

type PaddockClientKind = BenchOptions["paddockClient"];

import type { TargetDriver } from "./target.js";

/**
 * Drivers load lazily: a Paddock-only run does not need the reference clients (root
 * devDependencies) installed.
 */
async function paddockDriver(client: PaddockClientKind): Promise<TargetDriver> {
  // Paddock's client port speaks ZooKeeper's protocol too: the same node-zookeeper-client.
  if (client === "jute") return { ...(await import("./zookeeper.js")).zookeeperDriver, name: "paddock" };
  return client === "ts"
    ? (await import("./paddock-client.js")).paddockClientDriver
    : (await import("./paddock.js")).paddockDriver;
}

const loaders: Record<TargetName, (client: PaddockClientKind) => Promise<TargetDriver>> = {
  paddock: paddockDriver,
  // The no-op echo speaks Paddock's session protocol, so it goes through the same client.
  noop: async (client) => ({ ...(await paddockDriver(client === "jute" ? "ts" : client)), name: "noop" }),
  zookeeper: async () => (await import("./zookeeper.js")).zookeeperDriver,
  etcd: async () => (await import("./etcd.js")).etcdDriver,
};

export async function loadDriver(target: TargetName, client: PaddockClientKind): Promise<TargetDriver> {
  try {
    return await loaders[target](client);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/Cannot find (package|module) '(etcd3|node-zookeeper-client)'/.test(message))
      throw new Error(
        `${target}: its client is not installed: run npm install (the reference clients are root devDependencies)`,
      );
    throw e;
  }
}
