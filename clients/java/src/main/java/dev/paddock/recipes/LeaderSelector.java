package dev.paddock.recipes;

import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.ConnectionLossException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.SessionState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Curator's LeaderSelector: participants queue on an exclusive lock under the path ({@code
 * _c_<uuid>-lock-<seq>}, data = the participant id: the {@link DistributedLock} layout) and the
 * holder runs {@link Listener#takeLeadership} on the selector's thread. Leadership ends when the
 * callback returns (then, with {@link #autoRequeue()}, the participant queues again) or at once
 * when the session is SUSPENDED or LOST: the thread is interrupted, as Curator interrupts it, the
 * {@link Leadership} says why, and the listeners are told.
 */
public final class LeaderSelector implements AutoCloseable {
  /** Runs while leading; leadership ends when it returns. */
  public interface Listener {
    void takeLeadership(Leadership leadership) throws Exception;
  }

  /** One term of leadership; cancelled (with a reason) when it is taken away. */
  public static final class Leadership {
    private final long fencingToken;
    private volatile String cancelledBy;

    Leadership(long fencingToken) {
      this.fencingToken = fencingToken;
    }

    /** The lock node's czxid: a later leader's is larger. */
    public long fencingToken() {
      return fencingToken;
    }

    public boolean isCancelled() {
      return cancelledBy != null;
    }

    /** "suspended", "lost" or "closed" once cancelled, else null. */
    public String cancelledBy() {
      return cancelledBy;
    }
  }

  /** A queued participant; the first leads (Curator's Participant). */
  public record Participant(String id, boolean isLeader) {}

  private final PaddockClient client;
  private final String path;
  private final String id;
  private final Listener listener;
  private final SessionFollower session;
  private final List<Consumer<ConnectionEvent>> listeners = new CopyOnWriteArrayList<>();
  private final List<Exception> failures = new CopyOnWriteArrayList<>();
  private volatile boolean autoRequeue;
  // guarded by this
  private boolean following;
  private boolean closed;
  private Thread thread;
  private Leadership leading;
  private boolean interruptible; // the thread waits in the queue or runs the callback

  public LeaderSelector(PaddockClient client, String path, String id, Listener listener) {
    this.client = client;
    this.path = path;
    this.id = id;
    this.listener = listener;
    this.session = new SessionFollower(client);
    session.addListener(this::onEvent);
  }

  /** Queue again each time leadership ends (Curator's autoRequeue()). */
  public LeaderSelector autoRequeue() {
    autoRequeue = true;
    return this;
  }

  /** {@code listener} hears SUSPENDED, RECONNECTED and LOST from start to close (event thread). */
  public void addListener(Consumer<ConnectionEvent> listener) {
    listeners.add(listener);
  }

  public void start() {
    if (!requeue()) {
      throw new IllegalStateException("leader selector on " + path + " is closed or started");
    }
  }

  /** Queues unless already queued or leading (false then), as Curator's requeue(). */
  public boolean requeue() {
    boolean follow;
    synchronized (this) {
      if (closed || (thread != null && thread.isAlive())) {
        return false;
      }
      follow = !following;
      following = true;
      thread = new Thread(this::turns, "leader-selector " + path);
      thread.setDaemon(true);
    }
    if (follow) {
      session.start();
    }
    thread.start();
    return true;
  }

  public synchronized boolean hasLeadership() {
    return leading != null && !leading.isCancelled();
  }

  /** Errors of callbacks and of queueing (reported here, not thrown: they happen on our thread). */
  public List<Exception> failures() {
    return List.copyOf(failures);
  }

  /** The queue in order, the leader first (Curator's getParticipants). */
  public List<Participant> participants() throws PaddockException, InterruptedException {
    List<String> children;
    try {
      children = client.blocking().getChildren(path);
    } catch (NoNodeException e) {
      return List.of();
    }
    List<Participant> out = new ArrayList<>();
    for (String name : Paths.sortedByMarker(children, DistributedLock.PREFIX)) {
      try {
        byte[] data = client.blocking().getData(Paths.join(path, name)).data();
        out.add(new Participant(new String(data, StandardCharsets.UTF_8), out.isEmpty()));
      } catch (NoNodeException e) {
        // left between the listing and the read
      }
    }
    return out;
  }

  /** Cancels a leadership or a wait in the queue, waits for the thread, removes our node. */
  @Override
  public void close() throws InterruptedException {
    Thread t;
    synchronized (this) {
      closed = true;
      cancel("closed");
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      t.join();
    }
    session.stop();
  }

  private void onEvent(ConnectionEvent event) {
    if (event != ConnectionEvent.RECONNECTED) {
      synchronized (this) {
        cancel(event == ConnectionEvent.LOST ? "lost" : "suspended");
      }
    }
    for (Consumer<ConnectionEvent> l : listeners) {
      l.accept(event);
    }
  }

  /** Called holding this: ends the current term and interrupts a wait or a callback. */
  private void cancel(String why) {
    if (leading != null && leading.cancelledBy == null) {
      leading.cancelledBy = why;
    }
    if (interruptible && (leading != null || closed)) {
      thread.interrupt();
    }
  }

  private void turns() {
    while (!isClosed() && client.state().isAlive()) {
      try {
        turn();
      } catch (InterruptedException e) {
        // closed while queued
      } catch (Exception e) {
        if (!isClosed() && client.state().isAlive()) {
          failures.add(e);
        }
      }
      if (!autoRequeue) {
        break;
      }
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private void turn() throws Exception {
    DistributedLock lock =
        new DistributedLock(client, path, id.getBytes(StandardCharsets.UTF_8));
    synchronized (this) {
      if (closed) {
        return;
      }
      interruptible = true;
    }
    try {
      lock.acquire();
    } finally {
      synchronized (this) {
        interruptible = false;
      }
      Thread.interrupted(); // a close() that came as the lock was granted: checked below
    }
    String node = lock.nodePath();
    Leadership term = new Leadership(lock.fencingToken());
    try {
      synchronized (this) {
        if (closed || client.state() != SessionState.CONNECTED) {
          return;
        }
        leading = term;
        interruptible = true;
      }
      try {
        listener.takeLeadership(term);
      } catch (InterruptedException e) {
        // leadership taken away: the interrupt is how the callback was told
      } catch (Exception e) {
        if (!term.isCancelled()) {
          failures.add(e);
        }
      }
    } finally {
      synchronized (this) {
        leading = null;
        interruptible = false;
      }
      Thread.interrupted(); // an interrupt meant for the callback must not break the release
      release(lock, node);
    }
  }

  /**
   * Deletes the lock node, retrying across a disconnection until the session is lost: an orphaned
   * node would hold the lock for as long as the session lives.
   */
  private void release(DistributedLock lock, String node) throws InterruptedException {
    try {
      lock.release();
      return;
    } catch (ConnectionLossException e) {
      // retried below
    } catch (PaddockException e) {
      return; // the session ended: the node went with it
    }
    while (node != null && client.state().isAlive()) {
      try {
        client.blocking().delete(node, -1);
        return;
      } catch (NoNodeException e) {
        return;
      } catch (ConnectionLossException e) {
        Thread.sleep(100); // retry backoff while disconnected
      } catch (PaddockException e) {
        return;
      }
    }
  }
}
