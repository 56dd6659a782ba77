export { EventType } from "../util/event-type.js";

/**
 * paddock.v1.WatcherType values (ZooKeeper's numbers), kept here so this pure folder needs no
 * value import from generated code.
 */

export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;

/** zxid of an event no transaction fired (setWatches, removeWatches): ZooKeeper's WatchedEvent.NO_ZXID. */
export const NO_ZXID = -1;
