package dev.paddock.client;

/** Persistent watches that stay until removed (ZooKeeper 3.6's addWatch modes). */
public enum AddWatchMode {
  /** Data, existence and children events for the path itself. */
  PERSISTENT,
  /** Data and existence events for the path and every descendant (no children events). */
  PERSISTENT_RECURSIVE
}
