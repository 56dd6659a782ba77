package dev.paddock.client;

/** Which watches {@code removeWatches} removes, as ZooKeeper's {@code Watcher.WatcherType}. */
public enum WatcherType {
  CHILDREN(1),
  DATA(2),
  ANY(3),
  PERSISTENT(4),
  PERSISTENT_RECURSIVE(5);

  private final int value;

  WatcherType(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }
}
