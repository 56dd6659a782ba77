import type { TargetName } from "../args.js";
import { etcdDriver } from "./etcd.js";
import { paddockDriver } from "./paddock.js";
import type { TargetDriver } from "./target.js";
import { zookeeperDriver } from "./zookeeper.js";

/** The no-op echo speaks Paddock's session protocol, so it goes through the same adapter. */
export const drivers: Record<TargetName, TargetDriver> = {
  paddock: paddockDriver,
  noop: { ...paddockDriver, name: "noop" },
  zookeeper: zookeeperDriver,
  etcd: etcdDriver,
};
