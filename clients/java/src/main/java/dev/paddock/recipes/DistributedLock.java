package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.ConnectionLossException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.Stat;
import dev.paddock.client.Watcher;
import dev.paddock.client.WatcherType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The textbook ZooKeeper lock in Curator's InterProcessMutex layout: each contender creates
 * {@code <lockPath>/_c_<uuid>-lock-<seq>} as EPHEMERAL_SEQUENTIAL; the lowest sequence (the
 * digits after {@code lock-}) holds the lock; every other contender watches only its predecessor
 * (no herd effect). The Paddock clients of every language and Curator use the same names, so
 * they contend for the same lock (docs/RECIPES.md). The lock is lost if the session expires:
 * listeners added with {@link #addListener} hear SUSPENDED the moment the connection drops, then
 * RECONNECTED or LOST.
 *
 * <p>Reentrant per instance, as Curator's InterProcessMutex: acquiring it again while held adds
 * one to a count, and {@link #release()} deletes the node when called as many times. One instance
 * per holder. Blocking: do not call from a Watcher.
 */
public final class DistributedLock {
  /** Name marker shared by every Paddock client's lock recipe and Curator's. */
  public static final String PREFIX = "lock-";

  private final PaddockClient client;
  private final String lockPath;
  private final byte[] data;
  private final String marker;
  private final List<String> sortMarkers;
  private final Holds holds;
  private final SessionFollower session;
  private volatile String ourNode;
  private volatile long czxid;
  private volatile boolean held;
  private int holdCount; // acquisitions not yet released; guarded by this

  public DistributedLock(PaddockClient client, String lockPath) {
    this(client, lockPath, new byte[0]);
  }

  /** {@code data} is stored in the contender's node (e.g. the holder's name). */
  public DistributedLock(PaddockClient client, String lockPath, byte[] data) {
    this(client, lockPath, data, PREFIX);
  }

  DistributedLock(PaddockClient client, String lockPath, byte[] data, String marker) {
    this(client, lockPath, data, marker, List.of(marker), null);
  }

  /**
   * Decides from the sorted contenders whether ours (at {@code ours}) holds: -1 if it does, else
   * the index of the node to wait for. The read-write lock's readers use it.
   */
  interface Holds {
    int watchIndex(List<String> sorted, int ours);
  }

  DistributedLock(
      PaddockClient client,
      String lockPath,
      byte[] data,
      String marker,
      List<String> sortMarkers,
      Holds holds) {
    this.client = client;
    this.lockPath = lockPath;
    this.data = data.clone();
    this.marker = marker;
    this.sortMarkers = sortMarkers;
    this.holds = holds == null ? (sorted, ours) -> ours - 1 : holds;
    this.session = new SessionFollower(client);
  }

  /**
   * {@code listener} hears what happens to the session while the lock is held: SUSPENDED (stop
   * acting on the lock), RECONNECTED (still held), LOST (gone; the next waiter has it). It runs
   * on the client's event thread and must not block.
   */
  public void addListener(Consumer<ConnectionEvent> listener) {
    session.addListener(listener);
  }

  public static DistributedLock named(PaddockClient client, String lockPath, String holder) {
    return new DistributedLock(client, lockPath, holder.getBytes(StandardCharsets.UTF_8));
  }

  /** Waits until the lock is ours. */
  public void acquire() throws PaddockException, InterruptedException {
    tryAcquire(-1, TimeUnit.MILLISECONDS);
  }

  /** Waits up to the timeout (negative: forever); false (and no trace left) if not acquired. */
  public boolean tryAcquire(long timeout, TimeUnit unit)
      throws PaddockException, InterruptedException {
    synchronized (this) {
      if (held) {
        if (session.lost()) {
          throw new PaddockException.SessionExpiredException(
              "lock " + lockPath + " was lost with the session");
        }
        holdCount++;
        return true;
      }
    }
    long deadline = timeout < 0 ? Long.MAX_VALUE : System.nanoTime() + unit.toNanos(timeout);
    BlockingClient b = client.blocking();
    Paths.ensure(b, lockPath);
    String node = createOurNode(b);
    String ours = Paths.baseName(node);
    try {
      while (true) {
        List<String> contenders = Paths.sortedByMarkers(children(b), sortMarkers);
        int idx = contenders.indexOf(ours);
        if (idx < 0) {
          throw new NoNodeException(node, "our lock node vanished (session expired?)");
        }
        int watch = holds.watchIndex(contenders, idx);
        if (watch < 0) {
          Stat mine = exists(b, node, null);
          czxid = mine == null ? 0 : mine.czxid();
          synchronized (this) {
            ourNode = node;
            held = true;
            holdCount = 1;
          }
          session.start();
          return true;
        }
        String predecessor = Paths.join(lockPath, contenders.get(watch));
        CountDownLatch gone = new CountDownLatch(1);
        Watcher w = event -> gone.countDown();
        Stat st = exists(b, predecessor, w);
        if (st == null) {
          continue; // released between our listing and the watch
        }
        long waitNanos = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (!gone.await(waitNanos, TimeUnit.NANOSECONDS)) {
          try {
            b.removeWatches(predecessor, w, WatcherType.DATA);
          } catch (PaddockException e) {
            // the watch fired meanwhile or the connection dropped: nothing left to clean
          }
          deleteQuietly(b, node);
          return false;
        }
      }
    } catch (PaddockException | InterruptedException | RuntimeException e) {
      deleteQuietly(b, node);
      throw e;
    }
  }

  /** Undoes one acquire; the last deletes our node and the next contender takes the lock. */
  public void release() throws PaddockException, InterruptedException {
    String node;
    synchronized (this) {
      node = ourNode;
      if (!held || node == null) {
        throw new IllegalStateException("lock " + lockPath + " is not held by this instance");
      }
      if (--holdCount > 0) {
        return;
      }
      held = false;
      ourNode = null;
      czxid = 0;
    }
    session.stop();
    if (session.lost()) {
      return; // the node went with the session
    }
    try {
      client.blocking().delete(node, -1);
    } catch (NoNodeException e) {
      // already gone with the session: released either way
    }
  }

  /** True between a successful acquire and the last release, unless the session was LOST. */
  public boolean isHeld() {
    return held && !session.lost();
  }

  /** How many acquires are not yet released (0 when not held). */
  public synchronized int holdCount() {
    return holdCount;
  }

  /** The sequence number of our node while held (the digits after the marker), else -1. */
  public long sequence() {
    String node = ourNode;
    return node == null ? -1 : Paths.sequenceAfter(Paths.baseName(node), marker);
  }

  /**
   * The fencing token while held (the creation zxid of our node), else 0: a later holder always
   * has a larger one, so a downstream store can refuse writes carrying a smaller one.
   */
  public long fencingToken() {
    return czxid;
  }

  /** Our node's path while held, else null. */
  public String nodePath() {
    return ourNode;
  }

  public String lockPath() {
    return lockPath;
  }

  private String createOurNode(BlockingClient b) throws PaddockException, InterruptedException {
    String protection = Paths.protectedPrefix();
    String prefixPath = Paths.join(lockPath, protection + marker);
    while (true) {
      try {
        return b.create(prefixPath, data, Paths.OPEN, CreateMode.EPHEMERAL_SEQUENTIAL);
      } catch (ConnectionLossException e) {
        // The create may have happened: find our node by its protection prefix before retrying.
        String mine = findOurs(b, protection);
        if (mine != null) {
          return mine;
        }
      }
    }
  }

  private String findOurs(BlockingClient b, String protection)
      throws PaddockException, InterruptedException {
    while (true) {
      try {
        return Paths.findProtected(b, lockPath, protection);
      } catch (ConnectionLossException e) {
        // retry once the connection is back
      }
    }
  }

  private List<String> children(BlockingClient b) throws PaddockException, InterruptedException {
    while (true) {
      try {
        return b.getChildren(lockPath);
      } catch (ConnectionLossException e) {
        // retry once the connection is back; expiry ends the loop with SessionExpiredException
      }
    }
  }

  private static Stat exists(BlockingClient b, String path, Watcher w)
      throws PaddockException, InterruptedException {
    while (true) {
      try {
        return b.exists(path, w);
      } catch (ConnectionLossException e) {
        // retry
      }
    }
  }

  private static void deleteQuietly(BlockingClient b, String node) {
    try {
      b.delete(node, -1);
    } catch (PaddockException e) {
      // gone already, or the session is gone and takes the node with it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
