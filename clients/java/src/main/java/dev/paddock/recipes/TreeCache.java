package dev.paddock.recipes;

import dev.paddock.client.AddWatchMode;
import dev.paddock.client.BlockingClient;
import dev.paddock.client.DataResult;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.SessionState;
import dev.paddock.client.SessionStateListener;
import dev.paddock.client.WatchedEvent;
import dev.paddock.client.Watcher;
import dev.paddock.client.WatcherType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The subtree under a path kept in memory (Curator's CuratorCache) from one persistent recursive
 * watch on its root: each event re-reads the node it names, and after a reconnect the whole
 * subtree is read again and the differences reported, so no update is missed across a
 * disconnection. Reads run on the cache's own thread, never on the client's event thread.
 */
public final class TreeCache implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TreeCache.class.getName());

  /** Hears each change: kind is "added", "updated" or "removed" (data null), in order. */
  public interface Listener {
    void changed(String kind, String path, byte[] data);
  }

  private record Node(byte[] data, long mzxid) {}

  private final PaddockClient client;
  private final String path;
  private final Listener listener;
  private final Map<String, Node> nodes = new HashMap<>();
  private final ExecutorService worker;
  private final Watcher watcher = this::onEvent;
  private final SessionStateListener states = this::onState;
  private volatile boolean down;

  public TreeCache(PaddockClient client, String path, Listener listener) {
    this.client = client;
    this.path = path;
    this.listener = listener == null ? (kind, p, data) -> {} : listener;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "paddock-tree-cache" + path);
              t.setDaemon(true);
              return t;
            });
  }

  /** Watches the subtree and reads it whole before returning. */
  public void start() throws PaddockException, InterruptedException {
    client.addStateListener(states);
    client.blocking().addWatch(path, watcher, AddWatchMode.PERSISTENT_RECURSIVE);
    reload();
  }

  public synchronized byte[] get(String nodePath) {
    Node n = nodes.get(nodePath);
    return n == null ? null : n.data();
  }

  /** A copy of the cache: path to data, in path order. */
  public synchronized Map<String, byte[]> current() {
    Map<String, byte[]> out = new TreeMap<>();
    nodes.forEach((p, n) -> out.put(p, n.data()));
    return out;
  }

  @Override
  public void close() throws PaddockException, InterruptedException {
    client.removeStateListener(states);
    worker.shutdownNow();
    worker.awaitTermination(10, TimeUnit.SECONDS);
    try {
      client.blocking().removeWatches(path, watcher, WatcherType.PERSISTENT_RECURSIVE);
    } catch (PaddockException e) {
      // no watch left (the session ended) or no connection: nothing to remove
    }
  }

  private void onEvent(WatchedEvent e) {
    switch (e.type()) {
      case NODE_CREATED, NODE_DATA_CHANGED -> submit(() -> refresh(e.path()));
      case NODE_DELETED -> submit(() -> remove(e.path()));
      default -> {}
    }
  }

  private void onState(SessionState s) {
    if (s == SessionState.DISCONNECTED) {
      down = true;
    } else if (s == SessionState.CONNECTED && down) {
      down = false;
      submit(this::reload); // events may have been missed: read everything again
    }
  }

  private interface Work {
    void run() throws PaddockException, InterruptedException;
  }

  private void submit(Work work) {
    try {
      worker.execute(
          () -> {
            try {
              work.run();
            } catch (PaddockException e) {
              // a lost connection: the reconnect reloads
              LOG.log(Level.FINE, "tree cache " + path + ": refresh failed", e);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    } catch (RejectedExecutionException closed) {
      // closed
    }
  }

  private void refresh(String nodePath) throws PaddockException, InterruptedException {
    DataResult d;
    try {
      d = client.blocking().getData(nodePath);
    } catch (NoNodeException e) {
      remove(nodePath);
      return;
    }
    Node old;
    synchronized (this) {
      old = nodes.get(nodePath);
      if (old != null && old.mzxid() >= d.stat().mzxid()) {
        return; // already as new
      }
      nodes.put(nodePath, new Node(d.data(), d.stat().mzxid()));
    }
    listener.changed(old == null ? "added" : "updated", nodePath, d.data());
  }

  private void remove(String nodePath) {
    String prefix = nodePath.endsWith("/") ? nodePath : nodePath + "/";
    List<String> gone = new ArrayList<>();
    synchronized (this) {
      for (String p : nodes.keySet()) {
        if (p.equals(nodePath) || p.startsWith(prefix)) {
          gone.add(p);
        }
      }
      gone.forEach(nodes::remove);
    }
    gone.sort(Comparator.reverseOrder());
    gone.forEach(p -> listener.changed("removed", p, null));
  }

  private void reload() throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    Map<String, Node> fresh = new TreeMap<>();
    Deque<String> pending = new ArrayDeque<>(List.of(path));
    while (!pending.isEmpty()) {
      String p = pending.pop();
      try {
        DataResult d = b.getData(p);
        List<String> kids = b.getChildren(p);
        fresh.put(p, new Node(d.data(), d.stat().mzxid()));
        for (String k : kids) {
          pending.push(Paths.join(p, k));
        }
      } catch (NoNodeException e) {
        // deleted while we walked
      }
    }
    Map<String, Node> old;
    synchronized (this) {
      old = new HashMap<>(nodes);
      nodes.clear();
      nodes.putAll(fresh);
    }
    old.keySet().stream()
        .filter(p -> !fresh.containsKey(p))
        .sorted(Comparator.reverseOrder())
        .forEach(p -> listener.changed("removed", p, null));
    fresh.forEach(
        (p, n) -> {
          Node was = old.get(p);
          if (was == null) {
            listener.changed("added", p, n.data());
          } else if (was.mzxid() != n.mzxid()) {
            listener.changed("updated", p, n.data());
          }
        });
  }
}
