package dev.paddock.recipes;

import dev.paddock.client.PaddockClient;
import java.util.List;

/**
 * Curator's InterProcessReadWriteLock layout: readers create {@code <path>/_c_<uuid>-__READ__<seq>},
 * writers {@code …-__WRIT__<seq>}, ordered by sequence. A writer holds when first and watches its
 * predecessor; a reader holds when no writer is ahead of it (or its own write lock is held: a
 * downgrade) and otherwise watches the first writer ahead.
 */
public final class ReadWriteLock {
  public static final String READ = "__READ__";
  public static final String WRITE = "__WRIT__";
  private static final List<String> MARKERS = List.of(READ, WRITE);

  private final DistributedLock writeLock;
  private final DistributedLock readLock;

  public ReadWriteLock(PaddockClient client, String path) {
    writeLock = new DistributedLock(client, path, new byte[0], WRITE, MARKERS, null);
    readLock =
        new DistributedLock(
            client,
            path,
            new byte[0],
            READ,
            MARKERS,
            (sorted, ours) -> {
              if (writeLock.isHeld()) {
                return -1;
              }
              for (int i = 0; i < ours; i++) {
                if (sorted.get(i).contains(WRITE)) {
                  return i;
                }
              }
              return -1;
            });
  }

  public DistributedLock readLock() {
    return readLock;
  }

  public DistributedLock writeLock() {
    return writeLock;
  }
}
