/**
 * paddock.v1.EventType values (ZooKeeper's numbers), shared by the tree (which reports triggers)
 * and the watch registry (which turns them into events), so neither needs a value from gen/.
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
