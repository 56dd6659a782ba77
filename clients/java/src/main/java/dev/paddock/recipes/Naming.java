package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;

/**
 * Cluster-unique ids: each is the counter ZooKeeper appends to {@code <path>/id-} (created
 * persistent sequential, then deleted, so nothing accumulates). Unique and increasing for the life
 * of {@code path}, whichever client language takes them.
 */
public final class Naming {
  private Naming() {}

  public static long nextId(PaddockClient client, String path)
      throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    Paths.ensure(b, path);
    String node =
        b.create(Paths.join(path, "id-"), new byte[0], Paths.OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
    try {
      b.delete(node, -1);
    } catch (NoNodeException e) {
      // gone already
    }
    return Paths.sequenceAfter(node, "id-");
  }
}
