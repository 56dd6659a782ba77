package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Curator's DistributedBarrier: up while its node exists; waiters watch that one node. */
public final class Barrier {
  private final PaddockClient client;
  private final String path;

  public Barrier(PaddockClient client, String path) {
    this.client = client;
    this.path = path;
  }

  public void set() throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    int slash = path.lastIndexOf('/');
    if (slash > 0) {
      Paths.ensure(b, path.substring(0, slash));
    }
    try {
      b.create(path, new byte[0]);
    } catch (NodeExistsException e) {
      // up already
    }
  }

  public void remove() throws PaddockException, InterruptedException {
    try {
      client.blocking().delete(path, -1);
    } catch (NoNodeException e) {
      // down already
    }
  }

  /** True once the barrier is down, false when the timeout passes first. */
  public boolean waitOnBarrier(long timeout, TimeUnit unit)
      throws PaddockException, InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      CountDownLatch gone = new CountDownLatch(1);
      if (client.blocking().exists(path, e -> gone.countDown()) == null) {
        return true;
      }
      long wait = deadline - System.nanoTime();
      if (wait <= 0 || !gone.await(wait, TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
  }
}
