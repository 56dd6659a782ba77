package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.SessionState;
import dev.paddock.client.SessionStateListener;
import dev.paddock.client.Watcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The enabled instances of one service kept in memory (Curator's ServiceProvider over a
 * ServiceCache): read at {@link #start()}, re-read on every change of the service's children and
 * after every reconnect, and {@link #getInstance()} picks one without a request by a {@link
 * Strategy}. The reads run on the provider's own thread, never on the client's event thread.
 */
public final class ServiceProvider implements AutoCloseable {
  /** Curator's ProviderStrategy: RoundRobinStrategy, RandomStrategy, StickyStrategy. */
  public enum Strategy {
    ROUND_ROBIN,
    RANDOM,
    /** The same instance until it leaves, then the next by round robin. */
    STICKY
  }

  private static final Object REFRESH = new Object();
  private static final Object STOP = new Object();

  private final ServiceDiscovery discovery;
  private final String name;
  private final Strategy strategy;
  private final LinkedBlockingQueue<Object> work = new LinkedBlockingQueue<>();
  private final Watcher onChange = event -> work.add(REFRESH);
  private final SessionStateListener onState = this::stateChanged;
  private final Thread thread;
  // guarded by this
  private List<ServiceInstance> instances = List.of();
  private int next;
  private String stuck;
  private Exception failure;
  private boolean disconnected;

  ServiceProvider(ServiceDiscovery discovery, String name, Strategy strategy) {
    this.discovery = discovery;
    this.name = name;
    this.strategy = strategy;
    this.thread = new Thread(this::run, "service-provider " + name);
    thread.setDaemon(true);
  }

  /** Reads the instances (errors thrown here) and follows them until {@link #close()}. */
  public ServiceProvider start() throws PaddockException, InterruptedException {
    refresh();
    discovery.client().addStateListener(onState);
    thread.start();
    return this;
  }

  @Override
  public void close() throws InterruptedException {
    discovery.client().removeStateListener(onState);
    work.add(STOP);
    if (thread.isAlive() && thread != Thread.currentThread()) {
      thread.join();
    }
  }

  /** The cached enabled instances, ordered by id. */
  public synchronized List<ServiceInstance> instances() {
    return instances;
  }

  /** The last failed re-read (a reconnect reads again), or null. */
  public synchronized Exception failure() {
    return failure;
  }

  /** One cached instance by the strategy; NoNodeException naming the service when none. */
  public synchronized ServiceInstance getInstance() throws NoNodeException {
    List<ServiceInstance> list = instances;
    if (list.isEmpty()) {
      throw new NoNodeException(
          discovery.pathOf(name), "no instance of " + name + " under " + discovery.base());
    }
    if (strategy == Strategy.RANDOM) {
      return list.get(ThreadLocalRandom.current().nextInt(list.size()));
    }
    if (strategy == Strategy.STICKY) {
      for (ServiceInstance i : list) {
        if (i.id().equals(stuck)) {
          return i;
        }
      }
    }
    ServiceInstance chosen = list.get(Math.floorMod(next++, list.size()));
    stuck = chosen.id();
    return chosen;
  }

  private void stateChanged(SessionState state) {
    synchronized (this) {
      if (state == SessionState.DISCONNECTED) {
        disconnected = true;
        return;
      }
      if (state != SessionState.CONNECTED || !disconnected) {
        if (!state.isAlive()) {
          work.add(STOP);
        }
        return;
      }
      disconnected = false;
    }
    work.add(REFRESH);
  }

  private void run() {
    try {
      while (work.take() != STOP) {
        try {
          refresh();
        } catch (PaddockException | RuntimeException e) {
          synchronized (this) {
            failure = e;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void refresh() throws PaddockException, InterruptedException {
    BlockingClient b = discovery.client().blocking();
    String path = discovery.pathOf(name);
    List<String> ids;
    while (true) {
      try {
        ids = b.getChildren(path, onChange).stream().sorted().toList();
        break;
      } catch (NoNodeException e) {
        // No service yet: watch for its node to appear.
        if (b.exists(path, onChange) == null) {
          replace(List.of());
          return;
        }
      }
    }
    List<ServiceInstance> found = new ArrayList<>();
    for (String id : ids) {
      String node = Paths.join(path, id);
      try {
        ServiceInstance i = ServiceDiscovery.fromJson(b.getData(node).data(), node);
        if (i.enabled()) {
          found.add(i);
        }
      } catch (NoNodeException e) {
        // left between the listing and the read: the watch fires for it
      }
    }
    replace(List.copyOf(found));
  }

  private synchronized void replace(List<ServiceInstance> list) {
    instances = list;
    failure = null;
  }
}
