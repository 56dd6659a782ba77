import type { TargetName } from "../args.js";
import type { TargetDriver } from "./target.js";

/**
 * Drivers load lazily: the reference clients live in bench/node_modules, which a Paddock-only run
 * does not need installed.
 */
const loaders: Record<TargetName, () => Promise<TargetDriver>> = {
  paddock: async () => (await import("./paddock.js")).paddockDriver,
  // The no-op echo speaks Paddock's session protocol, so it goes through the same adapter.
  noop: async () => ({ ...(await import("./paddock.js")).paddockDriver, name: "noop" }),
  zookeeper: async () => (await import("./zookeeper.js")).zookeeperDriver,
  etcd: async () => (await import("./etcd.js")).etcdDriver,
};

export async function loadDriver(target: TargetName): Promise<TargetDriver> {
  try {
    return await loaders[target]();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/Cannot find (package|module) '(etcd3|node-zookeeper-client)'/.test(message))
      throw new Error(
        `${target}: its client is not installed: run (cd bench && npm install --no-audit --no-fund)`,
      );
    throw e;
  }
}
