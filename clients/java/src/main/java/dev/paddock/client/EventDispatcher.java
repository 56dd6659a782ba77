package dev.paddock.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The event thread: user code (watchers, state listeners, async completions) runs here one task at
 * a time, in the order the I/O thread handed it over, so a watch event is seen before a reply that
 * shows its data (ZooKeeper's ordering guarantee).
 */
final class EventDispatcher {
  // SessionConnection's logger, so logging set up for it still covers callback failures.
  private static final Logger LOG = Logger.getLogger(SessionConnection.class.getName());

  private final ExecutorService events;
  private volatile Thread eventThread;
  private final List<SessionStateListener> listeners = new CopyOnWriteArrayList<>();
  private final Watcher defaultWatcher;
  /**
   * The I/O thread while it handles one envelope from the server (else null): what it hands this
   * thread meanwhile is collected and handed over as one task, one queue operation and at most one
   * wake-up per envelope rather than per reply. Written by the I/O thread only; another thread
   * never finds itself here, so it needs no volatile.
   */
  private Thread collector;
  private ArrayList<Runnable> collected = new ArrayList<>();

  EventDispatcher(int id, Watcher defaultWatcher, SessionStateListener stateListener) {
    this.defaultWatcher = defaultWatcher;
    events =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = SessionConnection.daemon("paddock-event-" + id).newThread(r);
              eventThread = t;
              return t;
            });
    if (stateListener != null) {
      listeners.add(stateListener);
    }
  }

  /** True on the event thread, where waiting for a future that it completes would deadlock. */
  boolean onEventThread() {
    return Thread.currentThread() == eventThread;
  }

  void addListener(SessionStateListener l) {
    listeners.add(l);
  }

  void removeListener(SessionStateListener l) {
    listeners.remove(l);
  }

  /** Runs user code on the event thread, after everything delivered before it. */
  void run(Runnable r) {
    Runnable guarded =
        () -> {
          try {
            r.run();
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "callback threw", e);
          }
        };
    if (Thread.currentThread() == collector) {
      collected.add(guarded);
    } else {
      execute(guarded);
    }
  }

  /** The I/O thread starts handling an envelope: collect what it hands over until handOver. */
  void collect() {
    collector = Thread.currentThread();
  }

  /** Hands what was collected to the event thread as one task, in order (I/O thread). */
  void handOver() {
    collector = null;
    if (collected.isEmpty()) {
      return;
    }
    List<Runnable> tasks = collected;
    collected = new ArrayList<>();
    execute(
        () -> {
          for (Runnable task : tasks) {
            task.run();
          }
        });
  }

  private void execute(Runnable task) {
    try {
      events.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: nobody is listening any more
    }
  }

  /** Tells the state listeners, then the default watcher, of a new session state. */
  void stateChanged(SessionState s) {
    WatchedEvent ev = new WatchedEvent(EventType.NONE, s, null, -1);
    Watcher dw = defaultWatcher;
    run(
        () -> {
          for (SessionStateListener l : listeners) {
            try {
              l.stateChanged(s);
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "state listener threw", e);
            }
          }
          if (dw != null) {
            dw.process(ev);
          }
        });
  }

  /** Delivers one watch event to each watcher; one that throws does not stop the rest. */
  void deliver(Set<Watcher> targets, WatchedEvent we) {
    run(
        () -> {
          for (Watcher w : targets) {
            try {
              w.process(we);
            } catch (RuntimeException ex) {
              LOG.log(Level.WARNING, "watcher threw", ex);
            }
          }
        });
  }

  /** Completes a request's future: at once for blocking callers, else in order on this thread. */
  void complete(Pending p, Object value, PaddockException error) {
    if (p.direct) {
      finish(p, value, error);
    } else {
      run(() -> finish(p, value, error));
    }
  }

  private static void finish(Pending p, Object value, PaddockException error) {
    if (error != null) {
      p.future.completeExceptionally(error);
    } else {
      p.future.complete(value);
    }
  }

  /** Stops after the tasks handed over so far, those still being collected included. */
  void shutdown() {
    if (Thread.currentThread() == collector) {
      handOver();
    }
    events.shutdown();
  }
}
