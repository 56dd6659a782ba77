package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.DataResult;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.SessionState;
import dev.paddock.client.Stat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Leader election in Curator's LeaderLatch layout: each candidate creates {@code
 * <path>/_c_<uuid>-latch-<seq>} (EPHEMERAL_SEQUENTIAL, data = its id); the lowest sequence leads;
 * every other candidate watches its predecessor only. Leadership ends with {@link #close()}
 * (which hands it to the next candidate, in any Paddock client language or Curator) or with the
 * session. A leader cut off from the server stops leading at once (SUSPENDED, Curator's
 * default), leads again if the same session resumes with its node still first (RECONNECTED), and
 * is out for good when the session expires (LOST); the listener hears each of these.
 *
 * <p>The checks run on the election's own thread, so listener callbacks may block briefly.
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LeaderElection.class.getName());
  /** Name marker shared by every Paddock client's election and Curator's LeaderLatch. */
  public static final String PREFIX = "latch-";
  private static final long RETRY_MS = 100;

  /** Told when this candidate becomes leader, and when it stops being one. */
  public interface Listener {
    void takeLeadership();

    default void loseLeadership() {}

    /** SUSPENDED, RECONNECTED or LOST while a candidate; a leader hears loseLeadership first. */
    default void connectionEvent(ConnectionEvent event) {}
  }

  private final PaddockClient client;
  private final String path;
  private final String id;
  private final Listener listener;
  private final ScheduledExecutorService worker;
  private final Object lock = new Object();
  private final SessionFollower session;
  private volatile long czxid;
  private String ourNode;
  private boolean leader;
  private boolean closed;

  public LeaderElection(PaddockClient client, String path, String id, Listener listener) {
    this.client = client;
    this.path = path;
    this.id = id;
    this.listener = listener;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "paddock-election-" + id);
              t.setDaemon(true);
              return t;
            });
    this.session = new SessionFollower(client);
    session.addListener(this::onConnectionEvent);
  }

  // On the event thread: the work moves to the election's thread, in order.
  private void onConnectionEvent(ConnectionEvent event) {
    try {
      worker.execute(
          () -> {
            if (event != ConnectionEvent.RECONNECTED) {
              setLeader(false);
            }
            listener.connectionEvent(event);
            if (event == ConnectionEvent.RECONNECTED) {
              check();
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  /** Enters the election; the listener hears takeLeadership once this candidate leads. */
  public void start() throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    Paths.ensure(b, path);
    String protection = Paths.protectedPrefix();
    String node;
    while (true) {
      try {
        node =
            b.create(
                Paths.join(path, protection + PREFIX),
                id.getBytes(StandardCharsets.UTF_8),
                Paths.OPEN,
                CreateMode.EPHEMERAL_SEQUENTIAL);
        break;
      } catch (PaddockException.ConnectionLossException e) {
        // The create may have happened: find our node by its protection prefix before retrying.
        try {
          node = Paths.findProtected(b, path, protection);
        } catch (PaddockException.ConnectionLossException again) {
          node = null;
        }
        if (node != null) {
          break;
        }
      }
    }
    synchronized (lock) {
      ourNode = node;
    }
    session.start();
    recheck();
  }

  private void recheck() {
    try {
      worker.execute(this::check);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  private void check() {
    String node;
    synchronized (lock) {
      if (closed) {
        return;
      }
      node = ourNode;
    }
    BlockingClient b = client.blocking();
    try {
      List<String> candidates = Paths.sortedByMarker(b.getChildren(path), PREFIX);
      int idx = candidates.indexOf(Paths.baseName(node));
      if (idx < 0) {
        setLeader(false); // our node is gone with the session
        return;
      }
      if (idx == 0) {
        if (client.state() != SessionState.CONNECTED) {
          return; // suspended: RECONNECTED checks again
        }
        Stat mine = b.exists(node);
        czxid = mine == null ? 0 : mine.czxid();
        setLeader(true);
        return;
      }
      String predecessor = Paths.join(path, candidates.get(idx - 1));
      if (b.exists(predecessor, e -> recheck()) == null) {
        recheck();
      }
    } catch (PaddockException e) {
      LOG.log(Level.FINE, "election check failed; retrying", e);
      if (client.state().isAlive()) {
        try {
          worker.schedule(this::check, RETRY_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          // closed meanwhile
        }
      } else {
        setLeader(false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void setLeader(boolean now) {
    boolean changed;
    synchronized (lock) {
      changed = leader != now;
      leader = now;
      lock.notifyAll();
    }
    if (changed) {
      if (now) {
        listener.takeLeadership();
      } else {
        listener.loseLeadership();
      }
    }
  }

  /** The creation zxid of our node while leading (a fencing token), else 0. */
  public long fencingToken() {
    return isLeader() ? czxid : 0;
  }

  public boolean isLeader() {
    synchronized (lock) {
      return leader;
    }
  }

  /** Waits until this candidate leads; false on timeout. */
  public boolean awaitLeadership(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (lock) {
      while (!leader) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** The id of the current leader (the lowest candidate), or null if there is none. */
  public String currentLeaderId() throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    for (String c : Paths.sortedByMarker(b.getChildren(path), PREFIX)) {
      try {
        DataResult d = b.getData(Paths.join(path, c));
        return d.dataAsString();
      } catch (NoNodeException e) {
        // that candidate just left: the next one is the leader
      }
    }
    return null;
  }

  /** Leaves the election (deleting our node hands leadership to the next candidate). */
  @Override
  public void close() throws PaddockException, InterruptedException {
    String node;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      node = ourNode;
      lock.notifyAll();
    }
    worker.shutdown();
    session.stop();
    boolean wasLeader = isLeader();
    synchronized (lock) {
      leader = false;
    }
    if (node != null && !session.lost()) {
      try {
        client.blocking().delete(node, -1);
      } catch (NoNodeException e) {
        // gone with the session already
      }
    }
    if (wasLeader) {
      listener.loseLeadership();
    }
  }
}
