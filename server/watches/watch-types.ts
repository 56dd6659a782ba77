/**
 * paddock.v1.EventType and paddock.v1.WatcherType values (ZooKeeper's numbers), kept here so this
 * pure folder needs no value import from generated code.
 */
export const EventType = {
  None: 0,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;

/** zxid of an event no transaction fired (setWatches, removeWatches): ZooKeeper's WatchedEvent.NO_ZXID. */
export const NO_ZXID = -1;
