package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.Stat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Curator's InterProcessSemaphoreV2 layout: a lease is {@code <path>/leases/_c_<uuid>-lease-<seq>}
 * (ephemeral sequential), granted while at most {@code maxLeases} exist; {@code <path>/locks} is a
 * {@link DistributedLock} serialising acquirers, so only its holder watches the leases (no herd).
 */
public final class Semaphore {
  /** A granted lease; {@code czxid} (its node's creating zxid) is a fencing token. */
  public record Lease(PaddockClient client, String path, long czxid) {
    public void release() throws PaddockException, InterruptedException {
      try {
        client.blocking().delete(path, -1);
      } catch (NoNodeException e) {
        // gone already
      }
    }
  }

  private final PaddockClient client;
  private final String path;
  private final int maxLeases;

  public Semaphore(PaddockClient client, String path, int maxLeases) {
    if (maxLeases < 1) {
      throw new IllegalArgumentException(
          "maxLeases for " + path + " must be at least 1, got " + maxLeases);
    }
    this.client = client;
    this.path = path;
    this.maxLeases = maxLeases;
  }

  /** A lease, or null when the timeout (negative: none) passes first. */
  public Lease acquire(long timeout, TimeUnit unit) throws PaddockException, InterruptedException {
    long deadline = timeout < 0 ? Long.MAX_VALUE : System.nanoTime() + unit.toNanos(timeout);
    DistributedLock lock = new DistributedLock(client, Paths.join(path, "locks"));
    if (!lock.tryAcquire(timeout, unit)) {
      return null;
    }
    try {
      BlockingClient b = client.blocking();
      String leases = Paths.join(path, "leases");
      Paths.ensure(b, leases);
      String node =
          b.create(
              Paths.join(leases, Paths.protectedPrefix() + "lease-"),
              new byte[0],
              Paths.OPEN,
              CreateMode.EPHEMERAL_SEQUENTIAL);
      Stat st = b.exists(node);
      Lease lease = new Lease(client, node, st == null ? 0 : st.czxid());
      while (true) {
        CountDownLatch changed = new CountDownLatch(1);
        if (b.getChildren(leases, e -> changed.countDown()).size() <= maxLeases) {
          return lease;
        }
        long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (wait <= 0 || !changed.await(wait, TimeUnit.NANOSECONDS)) {
          lease.release();
          return null;
        }
      }
    } finally {
      lock.release();
    }
  }
}
