import type { BenchOptions, TargetName, Topology } from "../args.js";
import type { TargetDriver } from "./target.js";

type PaddockClientKind = BenchOptions["paddockClient"];

/**
 * Drivers load lazily: a Paddock-only run does not need the reference clients (root
 * devDependencies) installed.
 */
async function paddockDriver(client: PaddockClientKind, topology: Topology): Promise<TargetDriver> {
  // Paddock's client port speaks ZooKeeper's protocol too: the same node-zookeeper-client.
  if (client === "jute") return { ...(await import("./zookeeper.js")).zookeeperDriver, name: "paddock" };
  // clients/go runs in the Go generator only; the coordinating process (znode setup) uses clients/ts.
  return client === "raw"
    ? (await import("./paddock.js")).paddockDriverFor(topology)
    : (await import("./paddock-client.js")).paddockClientDriverFor(topology);
}

const loaders: Record<TargetName, (client: PaddockClientKind, topology: Topology) => Promise<TargetDriver>> =
  {
    paddock: paddockDriver,
    // The no-op echo speaks Paddock's session protocol and ZooKeeper's, so it goes through the
    // same client as Paddock.
    noop: async (client, topology) => ({ ...(await paddockDriver(client, topology)), name: "noop" }),
    zookeeper: async () => (await import("./zookeeper.js")).zookeeperDriver,
    etcd: async () => (await import("./etcd.js")).etcdDriver,
  };

/**
 * The driver of `target` in this (TypeScript) process. `topology` says whether the sessions of the
 * process share one gRPC transport (multiplexed) or each open their own (independent); the
 * ZooKeeper-protocol and etcd clients connect per session either way.
 */
export async function loadDriver(
  target: TargetName,
  client: PaddockClientKind,
  topology: Topology = "independent",
): Promise<TargetDriver> {
  try {
    return await loaders[target](client, topology);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/Cannot find (package|module) '(etcd3|node-zookeeper-client)'/.test(message))
      throw new Error(
        `${target}: its client is not installed: run npm install (the reference clients are root devDependencies)`,
      );
    throw e;
  }
}
