package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Curator's DistributedDoubleBarrier: members enter as {@code <path>/<uuid>} (ephemeral); the
 * member that sees {@code count} members creates {@code <path>/ready}, releasing everyone waiting
 * on it. Leaving follows Curator's order: the lowest member waits for the highest, the others
 * delete themselves and wait for the lowest, so each waits on one node. Blocking: do not call
 * from a Watcher.
 */
public final class DoubleBarrier {
  static final String READY = "ready";

  private final PaddockClient client;
  private final String path;
  private final int count;
  private final String ours = UUID.randomUUID().toString();

  public DoubleBarrier(PaddockClient client, String path, int count) {
    if (count < 1) {
      throw new IllegalArgumentException(
          "member count for " + path + " must be at least 1, got " + count);
    }
    this.client = client;
    this.path = path;
    this.count = count;
  }

  /** True once {@code count} members entered, false when the timeout passes first. */
  public boolean enter(long timeout, TimeUnit unit) throws PaddockException, InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    BlockingClient b = client.blocking();
    Paths.ensure(b, path);
    CountDownLatch ready = new CountDownLatch(1);
    boolean up = b.exists(Paths.join(path, READY), e -> ready.countDown()) != null;
    b.create(Paths.join(path, ours), new byte[0], Paths.OPEN, CreateMode.EPHEMERAL);
    if (up) {
      return true;
    }
    if (members(b).size() >= count) {
      try {
        b.create(Paths.join(path, READY), new byte[0]);
      } catch (NodeExistsException e) {
        // another member got there first
      }
      return true;
    }
    return ready.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** True once every member left, false when the timeout passes first. */
  public boolean leave(long timeout, TimeUnit unit) throws PaddockException, InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    BlockingClient b = client.blocking();
    boolean oursExists = true;
    while (true) {
      List<String> live;
      try {
        live = members(b);
      } catch (NoNodeException e) {
        live = List.of();
      }
      if (live.isEmpty()) {
        break;
      }
      if (live.size() == 1 && live.get(0).equals(ours)) {
        deleteQuietly(b, Paths.join(path, ours));
        break;
      }
      String watched;
      if (live.get(0).equals(ours)) {
        watched = live.get(live.size() - 1); // the lowest leaves last
      } else {
        watched = live.get(0);
        if (oursExists) {
          deleteQuietly(b, Paths.join(path, ours));
          oursExists = false;
        }
      }
      CountDownLatch changed = new CountDownLatch(1);
      if (b.exists(Paths.join(path, watched), e -> changed.countDown()) == null) {
        continue;
      }
      if (!changed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    deleteQuietly(b, Paths.join(path, READY));
    return true;
  }

  private List<String> members(BlockingClient b) throws PaddockException, InterruptedException {
    List<String> out = new ArrayList<>(b.getChildren(path));
    out.remove(READY);
    Collections.sort(out);
    return out;
  }

  private static void deleteQuietly(BlockingClient b, String node)
      throws PaddockException, InterruptedException {
    try {
      b.delete(node, -1);
    } catch (NoNodeException e) {
      // gone already
    }
  }
}
