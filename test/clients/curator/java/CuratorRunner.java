import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.atomic.PromotedToLock;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.PathChildrenCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.SharedCountListener;
import org.apache.curator.framework.recipes.shared.SharedCountReader;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.HostProvider;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Stat;

/**
 * Curator 5 recipes and ZooKeeper 3.9's Java client against one connect string.
 *
 * <pre>
 *   CuratorRunner scenarios CONNECT ROOT [NAME...]   one JSON line per checked outcome
 *   CuratorRunner ensemble  CONNECT ROOT             mutex + LeaderLatch across a leader kill
 * </pre>
 *
 * Every line is {"scenario","check","value","ok"}: value is deterministic (no zxids, session ids,
 * times or UUIDs) so two servers' transcripts can be compared; ok=false marks a violated guarantee
 * and makes the exit code 1. Waits are deadlines on queues or conditions, never sleeps.
 */
public final class CuratorRunner {
  static String connect;
  static String root;
  static final AtomicBoolean violated = new AtomicBoolean();
  static final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
  static final int SESSION_MS = 15_000;

  // ---------- output ----------

  static synchronized void emit(String scenario, String check, Object value, boolean ok) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", scenario);
    m.put("check", check);
    m.put("value", value);
    m.put("ok", ok);
    if (!ok) violated.set(true);
    System.out.println(json(m));
    System.out.flush();
  }

  static void emit(String scenario, String check, Object value) {
    emit(scenario, check, value, true);
  }

  static String json(Object o) {
    if (o == null) return "null";
    if (o instanceof String) {
      StringBuilder b = new StringBuilder("\"");
      for (char c : ((String) o).toCharArray()) {
        if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
        else b.append(c);
      }
      return b.append('"').toString();
    }
    if (o instanceof Number || o instanceof Boolean) return o.toString();
    if (o instanceof Map) {
      StringBuilder b = new StringBuilder("{");
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        if (b.length() > 1) b.append(',');
        b.append(json(String.valueOf(e.getKey()))).append(':').append(json(e.getValue()));
      }
      return b.append('}').toString();
    }
    if (o instanceof Collection) {
      StringBuilder b = new StringBuilder("[");
      for (Object x : (Collection<?>) o) {
        if (b.length() > 1) b.append(',');
        b.append(json(x));
      }
      return b.append(']').toString();
    }
    return json(o.toString());
  }

  static Map<String, Object> obj(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  // ---------- helpers ----------

  static final long T0 = System.nanoTime();

  /** Progress on stderr (with milliseconds since start), for reading a slow or failed run. */
  static void trace(String what) {
    System.err.printf("%6d ms %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - T0), what);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] d) {
    return d == null ? null : new String(d, StandardCharsets.UTF_8);
  }

  static String rel(String base, String path) {
    if (path == null) return null;
    return path.startsWith(base) ? (path.length() == base.length() ? "." : path.substring(base.length())) : path;
  }

  static String base(String scenario) {
    return root + "/" + scenario;
  }

  /** A started Curator client, connected; closed at the end of the run. */
  static CuratorFramework client() throws Exception {
    return client(connect, null);
  }

  static CuratorFramework client(String connectString, List<InetSocketAddress> ordered) throws Exception {
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(SESSION_MS)
            .connectionTimeoutMs(10_000)
            .retryPolicy(new ExponentialBackoffRetry(100, 20, 1000));
    if (ordered != null) {
      // The connect string in the order given (ZooKeeper's StaticHostProvider shuffles it).
      builder.zookeeperFactory(
          (cs, timeout, watcher, canBeReadOnly) ->
              new ZooKeeper(cs, timeout, watcher, canBeReadOnly, new OrderedHostProvider(ordered)));
    }
    CuratorFramework c = builder.build();
    c.start();
    toClose.add(c);
    if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected in 20 s");
    return c;
  }

  /** Plain ZooKeeper client, connected. */
  static ZooKeeper zk(Watcher watcher) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper z =
        new ZooKeeper(
            connect,
            SESSION_MS,
            e -> {
              if (e.getType() == Watcher.Event.EventType.None
                  && e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
              else if (watcher != null) watcher.process(e);
            });
    toClose.add(z::close);
    if (!connected.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("zk not connected in 20 s");
    return z;
  }

  static void await(String what, long ms, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("deadline: " + what);
      Thread.sleep(10); // polling interval of a condition with a deadline
    }
  }

  interface Check {
    boolean get() throws Exception;
  }

  static BooleanSupplier quietly(Check c) {
    return () -> {
      try {
        return c.get();
      } catch (Exception e) {
        return false;
      }
    };
  }

  static <T> T take(BlockingQueue<T> q, String what) throws Exception {
    T t = q.poll(15, TimeUnit.SECONDS);
    if (t == null) throw new IllegalStateException("deadline waiting for " + what);
    return t;
  }

  static String code(Exception e) {
    return e instanceof KeeperException ? ((KeeperException) e).code().name() : e.getClass().getSimpleName();
  }

  static String owner(long o) {
    if (o == 0) return "persistent";
    if (o == Long.MIN_VALUE) return "container";
    if ((o & 0xff00000000000000L) == 0xff00000000000000L) return "ttl";
    return "ephemeral";
  }

  // ---------- scenarios ----------

  static void mutex() throws Exception {
    String sc = "mutex";
    String lock = base(sc) + "/lock";
    CuratorFramework a = client(), b = client(), c = client();
    InterProcessMutex ma = new InterProcessMutex(a, lock);
    ma.acquire();
    boolean again = ma.acquire(5, TimeUnit.SECONDS);
    emit(sc, "reentrant-acquire", again, again);
    int participants = ma.getParticipantNodes().size();
    emit(sc, "participants-while-held-twice", participants, participants == 1);
    ma.release();
    emit(sc, "still-held-after-one-release", ma.isAcquiredInThisProcess(), ma.isAcquiredInThisProcess());
    InterProcessMutex mb = new InterProcessMutex(b, lock);
    boolean bGot = mb.acquire(300, TimeUnit.MILLISECONDS);
    emit(sc, "other-client-times-out-while-held", bGot, !bGot);
    ma.release();
    emit(sc, "released", ma.isAcquiredInThisProcess(), !ma.isAcquiredInThisProcess());
    bGot = mb.acquire(5, TimeUnit.SECONDS);
    emit(sc, "other-client-acquires-after-release", bGot, bGot);
    mb.release();

    // Mutual exclusion: three clients, an in-process holder count and an unversioned
    // read-modify-write of a counter node that loses updates if two hold the lock at once.
    String counter = base(sc) + "/counter";
    a.create().forPath(counter, b("0"));
    AtomicInteger holders = new AtomicInteger(), maxHolders = new AtomicInteger();
    List<String> errors = new CopyOnWriteArrayList<>();
    int rounds = 8;
    List<Thread> threads = new ArrayList<>();
    for (CuratorFramework cl : List.of(a, b, c)) {
      InterProcessMutex m = new InterProcessMutex(cl, lock);
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < rounds; i++) {
                    if (!m.acquire(30, TimeUnit.SECONDS)) throw new IllegalStateException("acquire timed out");
                    int h = holders.incrementAndGet();
                    maxHolders.accumulateAndGet(h, Math::max);
                    int v = Integer.parseInt(s(cl.getData().forPath(counter)));
                    cl.setData().forPath(counter, b(Integer.toString(v + 1)));
                    holders.decrementAndGet();
                    m.release();
                  }
                } catch (Exception e) {
                  errors.add(e.toString());
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) t.join(60_000);
    emit(sc, "contention-errors", errors, errors.isEmpty());
    emit(sc, "max-simultaneous-holders", maxHolders.get(), maxHolders.get() == 1);
    int total = Integer.parseInt(s(a.getData().forPath(counter)));
    emit(sc, "counter-after-3x" + rounds, total, total == 3 * rounds);
    List<String> left = a.getChildren().forPath(lock);
    emit(sc, "lock-nodes-left", left.size(), left.isEmpty());
  }

  static void rwlock() throws Exception {
    String sc = "rwlock";
    String p = base(sc) + "/lock";
    InterProcessReadWriteLock la = new InterProcessReadWriteLock(client(), p);
    InterProcessReadWriteLock lb = new InterProcessReadWriteLock(client(), p);
    InterProcessReadWriteLock lc = new InterProcessReadWriteLock(client(), p);
    boolean r1 = la.readLock().acquire(5, TimeUnit.SECONDS);
    emit(sc, "first-reader", r1, r1);
    boolean r2 = lb.readLock().acquire(5, TimeUnit.SECONDS);
    emit(sc, "second-reader-shares", r2, r2);
    boolean w = lc.writeLock().acquire(300, TimeUnit.MILLISECONDS);
    emit(sc, "writer-waits-for-readers", w, !w);
    la.readLock().release();
    lb.readLock().release();
    w = lc.writeLock().acquire(5, TimeUnit.SECONDS);
    emit(sc, "writer-after-readers-leave", w, w);
    boolean r = la.readLock().acquire(300, TimeUnit.MILLISECONDS);
    emit(sc, "reader-waits-for-writer", r, !r);
    boolean down = lc.readLock().acquire(5, TimeUnit.SECONDS);
    emit(sc, "writer-may-also-read", down, down);
    lc.writeLock().release();
    r = la.readLock().acquire(5, TimeUnit.SECONDS);
    emit(sc, "reader-after-downgrade", r, r);
    w = lb.writeLock().acquire(300, TimeUnit.MILLISECONDS);
    emit(sc, "writer-waits-for-downgraded-reader", w, !w);
    la.readLock().release();
    lc.readLock().release();
    w = lb.writeLock().acquire(5, TimeUnit.SECONDS);
    emit(sc, "writer-after-all-readers", w, w);
    lb.writeLock().release();
  }

  static void semaphore() throws Exception {
    String sc = "semaphore";
    String p = base(sc) + "/sem";
    InterProcessSemaphoreV2 sa = new InterProcessSemaphoreV2(client(), p, 2);
    InterProcessSemaphoreV2 sb = new InterProcessSemaphoreV2(client(), p, 2);
    InterProcessSemaphoreV2 scm = new InterProcessSemaphoreV2(client(), p, 2);
    Lease l1 = sa.acquire(5, TimeUnit.SECONDS);
    Lease l2 = sb.acquire(5, TimeUnit.SECONDS);
    emit(sc, "two-leases-granted", l1 != null && l2 != null, l1 != null && l2 != null);
    Lease l3 = scm.acquire(300, TimeUnit.MILLISECONDS);
    emit(sc, "third-lease-refused", l3 == null, l3 == null);
    int n = sa.getParticipantNodes().size();
    emit(sc, "participants", n, n == 2);
    sa.returnLease(l1);
    l3 = scm.acquire(5, TimeUnit.SECONDS);
    emit(sc, "lease-after-return", l3 != null, l3 != null);
    sb.returnLease(l2);
    scm.returnLease(l3);
    Collection<Lease> two = sa.acquire(2, 5, TimeUnit.SECONDS);
    emit(sc, "two-leases-at-once", two == null ? 0 : two.size(), two != null && two.size() == 2);
    Lease none = sb.acquire(300, TimeUnit.MILLISECONDS);
    emit(sc, "none-left", none == null, none == null);
    sa.returnAll(two);
    n = sa.getParticipantNodes().size();
    emit(sc, "participants-after-return", n, n == 0);
  }

  static void leaderLatch() throws Exception {
    String sc = "leader-latch";
    String p = base(sc) + "/latch";
    int n = 3;
    LeaderLatch[] latches = new LeaderLatch[n];
    boolean[] leading = new boolean[n];
    boolean[] closed = new boolean[n];
    AtomicInteger leaders = new AtomicInteger(), maxLeaders = new AtomicInteger();
    Object guard = new Object();
    for (int i = 0; i < n; i++) {
      final int k = i;
      latches[i] = new LeaderLatch(client(), p, "p" + i);
      latches[i].addListener(
          new LeaderLatchListener() {
            public void isLeader() {
              synchronized (guard) {
                if (closed[k]) return;
                leading[k] = true;
                maxLeaders.accumulateAndGet(leaders.incrementAndGet(), Math::max);
              }
            }

            public void notLeader() {
              synchronized (guard) {
                if (closed[k] || !leading[k]) return;
                leading[k] = false;
                leaders.decrementAndGet();
              }
            }
          });
      latches[i].start();
    }
    // Every participant is in before the first round (the first node leads as soon as it exists).
    await("three participants", 15_000, quietly(() -> latches[0].getParticipants().size() == n));
    for (int round = 0; round < n; round++) {
      await("a leader", 15_000, () -> leaders.get() == 1);
      int leader = -1;
      synchronized (guard) {
        for (int i = 0; i < n; i++) if (leading[i]) leader = i;
      }
      int participants = latches[leader].getParticipants().size();
      emit(sc, "round-" + round + "-one-leader-of", participants, participants == n - round);
      boolean idOk = latches[leader].getLeader().getId().equals("p" + leader);
      emit(sc, "round-" + round + "-getLeader-names-it", idOk, idOk);
      // Step down: count it as gone before its node goes, so the next leader is never counted early.
      synchronized (guard) {
        closed[leader] = true;
        leading[leader] = false;
        leaders.decrementAndGet();
      }
      latches[leader].close();
    }
    emit(sc, "max-simultaneous-leaders", maxLeaders.get(), maxLeaders.get() == 1);
  }

  static void atomicLong() throws Exception {
    String sc = "atomic-long";
    String p = base(sc) + "/n";
    List<DistributedAtomicLong> ds = new ArrayList<>();
    for (int i = 0; i < 3; i++)
      ds.add(
          new DistributedAtomicLong(
              client(),
              p,
              new RetryNTimes(10, 10),
              PromotedToLock.builder().lockPath(base(sc) + "/lock").retryPolicy(new RetryNTimes(10, 50)).timeout(10, TimeUnit.SECONDS).build()));
    AtomicValue<Long> v = ds.get(0).get();
    emit(sc, "initial", obj("succeeded", v.succeeded(), "value", v.postValue()), v.succeeded() && v.postValue() == 0);
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> fs = new ArrayList<>();
    for (DistributedAtomicLong d : ds)
      fs.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 10; i++) if (!d.increment().succeeded()) failed.incrementAndGet();
                return null;
              }));
    for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
    pool.shutdown();
    emit(sc, "failed-increments", failed.get(), failed.get() == 0);
    long total = ds.get(1).get().postValue();
    emit(sc, "after-30-increments", total, total == 30);
    AtomicValue<Long> cas = ds.get(2).compareAndSet(30L, 100L);
    emit(sc, "cas-30-to-100", obj("succeeded", cas.succeeded(), "pre", cas.preValue(), "post", cas.postValue()), cas.succeeded());
    cas = ds.get(0).compareAndSet(30L, 5L);
    emit(sc, "cas-stale-refused", obj("succeeded", cas.succeeded(), "pre", cas.preValue()), !cas.succeeded());
    AtomicValue<Long> add = ds.get(1).add(5L);
    emit(sc, "add-5", add.postValue(), add.succeeded() && add.postValue() == 105);
    AtomicValue<Long> dec = ds.get(2).decrement();
    emit(sc, "decrement", dec.postValue(), dec.succeeded() && dec.postValue() == 104);
    AtomicValue<Long> set = ds.get(0).trySet(7L);
    emit(sc, "trySet-7", obj("succeeded", set.succeeded(), "pre", set.preValue()), set.succeeded());
    boolean init = ds.get(0).initialize(9L);
    emit(sc, "initialize-existing-refused", init, !init);
  }

  static void sharedCount() throws Exception {
    String sc = "shared-count";
    String p = base(sc) + "/count";
    SharedCount ca = new SharedCount(client(), p, 0);
    SharedCount cb = new SharedCount(client(), p, 0);
    toClose.add(ca);
    toClose.add(cb);
    BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
    cb.addListener(
        new SharedCountListener() {
          public void countHasChanged(SharedCountReader reader, int n) {
            seen.add(n);
          }

          public void stateChanged(CuratorFramework client, ConnectionState state) {}
        });
    ca.start();
    cb.start();
    emit(sc, "initial", ca.getCount(), ca.getCount() == 0);
    VersionedValue<Integer> stale = ca.getVersionedValue();
    ca.setCount(5);
    int got = take(seen, "count 5 at the other client");
    emit(sc, "listener-sees", got, got == 5);
    boolean ok = cb.trySetCount(stale, 6);
    emit(sc, "stale-trySetCount-refused", ok, !ok);
    ok = cb.trySetCount(cb.getVersionedValue(), 7);
    emit(sc, "current-trySetCount", ok, ok);
    await("count 7 at the first client", 15_000, () -> ca.getCount() == 7);
    emit(sc, "first-client-sees", ca.getCount(), ca.getCount() == 7);
  }

  static void curatorCache() throws Exception {
    String sc = "curator-cache";
    String p = base(sc) + "/tree";
    CuratorFramework a = client(), w = client();
    w.create().creatingParentsIfNeeded().forPath(p + "/pre", b("p"));
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    CuratorCache cache = CuratorCache.build(a, p);
    toClose.add(cache);
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forAll(
                    (type, old, data) -> {
                      ChildData d = data != null ? data : old;
                      events.add(type + " " + rel(p, d.getPath()) + " " + s(d.getData()));
                    })
                .forInitialized(() -> events.add("INITIALIZED"))
                .build());
    cache.start();
    List<String> initial = new ArrayList<>();
    for (String e = take(events, "initial load"); !e.equals("INITIALIZED"); e = take(events, "initial load"))
      initial.add(e);
    Collections.sort(initial);
    emit(sc, "initial-load", initial);
    List<String> got = new ArrayList<>();
    w.create().forPath(p + "/x", b("1"));
    got.add(take(events, "create /x"));
    w.setData().forPath(p + "/x", b("2"));
    got.add(take(events, "set /x"));
    w.create().forPath(p + "/x/y", b("3"));
    got.add(take(events, "create /x/y"));
    w.create().forPath(p + "/x/y/z", b("4"));
    got.add(take(events, "create /x/y/z"));
    w.setData().forPath(p + "/x/y/z", b("5"));
    got.add(take(events, "set /x/y/z"));
    w.delete().forPath(p + "/x/y/z");
    got.add(take(events, "delete /x/y/z"));
    w.delete().deletingChildrenIfNeeded().forPath(p + "/x");
    List<String> last = new ArrayList<>(List.of(take(events, "delete /x/y"), take(events, "delete /x")));
    got.addAll(last);
    emit(sc, "subtree-events", got);
    List<String> expected =
        List.of(
            "NODE_CREATED /x 1",
            "NODE_CHANGED /x 2",
            "NODE_CREATED /x/y 3",
            "NODE_CREATED /x/y/z 4",
            "NODE_CHANGED /x/y/z 5",
            "NODE_DELETED /x/y/z 5",
            "NODE_DELETED /x/y 3",
            "NODE_DELETED /x 2");
    emit(sc, "subtree-events-as-expected", got.equals(expected), got.equals(expected));
    List<String> cached = new ArrayList<>();
    cache.stream().forEach(d -> cached.add(rel(p, d.getPath())));
    Collections.sort(cached);
    emit(sc, "cached-paths", cached);
  }

  @SuppressWarnings("deprecation")
  static void pathChildrenCache() throws Exception {
    String sc = "path-children-cache";
    String p = base(sc) + "/dir";
    CuratorFramework a = client(), w = client(), e = client();
    w.create().creatingParentsIfNeeded().forPath(p + "/pre", b("p"));
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    PathChildrenCache cache = new PathChildrenCache(a, p, true);
    toClose.add(cache);
    cache
        .getListenable()
        .addListener(
            (client, ev) -> {
              switch (ev.getType()) {
                case CHILD_ADDED:
                case CHILD_UPDATED:
                case CHILD_REMOVED:
                  events.add(ev.getType() + " " + rel(p, ev.getData().getPath()) + " " + s(ev.getData().getData()));
                  break;
                case INITIALIZED:
                  events.add("INITIALIZED " + ev.getInitialData().size());
                  break;
                default:
                  break;
              }
            });
    cache.start(PathChildrenCache.StartMode.POST_INITIALIZED_EVENT);
    List<String> got = new ArrayList<>();
    got.add(take(events, "initial child"));
    got.add(take(events, "initialized"));
    w.create().forPath(p + "/c1", b("1"));
    got.add(take(events, "add c1"));
    w.setData().forPath(p + "/c1", b("2"));
    got.add(take(events, "update c1"));
    w.delete().forPath(p + "/c1");
    got.add(take(events, "remove c1"));
    e.create().withMode(CreateMode.EPHEMERAL).forPath(p + "/eph", b("e"));
    got.add(take(events, "add eph"));
    e.close();
    got.add(take(events, "remove eph on session close"));
    emit(sc, "events", got);
    List<String> expected =
        List.of(
            "CHILD_ADDED /pre p",
            "INITIALIZED 1",
            "CHILD_ADDED /c1 1",
            "CHILD_UPDATED /c1 2",
            "CHILD_REMOVED /c1 2",
            "CHILD_ADDED /eph e",
            "CHILD_REMOVED /eph e");
    emit(sc, "events-as-expected", got.equals(expected), got.equals(expected));
    emit(sc, "current", cache.getCurrentData().size(), cache.getCurrentData().size() == 1);
  }

  static void persistentNode() throws Exception {
    String sc = "persistent-node";
    String p = base(sc) + "/member";
    CuratorFramework a = client(), w = client();
    BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
    a.getConnectionStateListenable().addListener((cl, st) -> states.add(st));
    PersistentNode node = new PersistentNode(a, CreateMode.EPHEMERAL, false, p, b("hello"));
    toClose.add(node);
    node.start();
    boolean created = node.waitForInitialCreate(15, TimeUnit.SECONDS);
    emit(sc, "initial-create", created, created);
    long session1 = a.getZookeeperClient().getZooKeeper().getSessionId();
    Stat st = w.checkExists().forPath(p);
    emit(sc, "owned-by-session", st != null && st.getEphemeralOwner() == session1, st != null && st.getEphemeralOwner() == session1);

    // Reconnect: drop the TCP connection; the session resumes.
    trace("closeSocket");
    a.getZookeeperClient().getZooKeeper().getTestable().closeSocket();
    List<String> seen = new ArrayList<>();
    for (ConnectionState cs = take(states, "reconnect"); ; cs = take(states, "reconnect")) {
      trace("state " + cs);
      seen.add(cs.name());
      if (cs == ConnectionState.RECONNECTED) break;
    }
    emit(sc, "states-on-reconnect", seen);
    long session2 = a.getZookeeperClient().getZooKeeper().getSessionId();
    st = w.checkExists().forPath(p);
    boolean survived = session2 == session1 && st != null && st.getEphemeralOwner() == session1;
    emit(sc, "survives-reconnect", survived, survived);

    // Expiry: a second client resumes the session with its id and password and closes it. If the
    // first client happens to resume its session between the two (its reconnect back-off is random),
    // the session survives the second client's close: then try again (at most three times).
    ZooKeeper zk = a.getZookeeperClient().getZooKeeper();
    long sid = zk.getSessionId();
    byte[] pw = zk.getSessionPasswd();
    long session3 = sid;
    boolean joined = false;
    for (int attempt = 0; attempt < 3 && session3 == sid; attempt++) {
      CountDownLatch in = new CountDownLatch(1);
      ZooKeeper intruder =
          new ZooKeeper(
              connect,
              SESSION_MS,
              e -> {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) in.countDown();
              },
              sid,
              pw);
      joined = in.await(15, TimeUnit.SECONDS);
      trace("intruder connected: " + joined);
      intruder.close();
      trace("intruder closed");
      seen.clear();
      for (ConnectionState cs = take(states, "expiry"); ; cs = take(states, "expiry")) {
        trace("state " + cs);
        seen.add(cs.name());
        if (cs == ConnectionState.RECONNECTED) break;
      }
      session3 = a.getZookeeperClient().getZooKeeper().getSessionId();
    }
    emit(sc, "second-client-resumes-session", joined, joined);
    emit(sc, "states-on-expiry", seen);
    emit(sc, "new-session", session3 != sid, session3 != sid);
    final long newSession = session3;
    await(
        "node recreated by the new session",
        15_000,
        quietly(
            () -> {
              Stat x = w.checkExists().forPath(p);
              return x != null && x.getEphemeralOwner() == newSession;
            }));
    emit(sc, "recreated-after-expiry", s(w.getData().forPath(p)));
    node.close();
    boolean gone = w.checkExists().forPath(p) == null;
    emit(sc, "deleted-on-close", gone, gone);
  }

  static void transaction() throws Exception {
    String sc = "transaction";
    String p = base(sc);
    CuratorFramework a = client();
    a.create().creatingParentsIfNeeded().forPath(p);
    List<CuratorOp> ops =
        List.of(
            a.transactionOp().create().forPath(p + "/a", b("1")),
            a.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(p + "/s-", b("s")),
            a.transactionOp().setData().forPath(p + "/a", b("2")),
            a.transactionOp().check().withVersion(1).forPath(p + "/a"),
            a.transactionOp().create().forPath(p + "/d", b("d")),
            a.transactionOp().delete().forPath(p + "/d"));
    List<Object> out = new ArrayList<>();
    for (CuratorTransactionResult r : a.transaction().forOperations(ops))
      out.add(
          obj(
              "type", r.getType().name(),
              "for", rel(p, r.getForPath()),
              "result", rel(p, r.getResultPath()),
              "version", r.getResultStat() == null ? null : r.getResultStat().getVersion(),
              "error", r.getError()));
    emit(sc, "committed", out);
    emit(sc, "data-after", s(a.getData().forPath(p + "/a")));

    List<CuratorOp> bad =
        List.of(
            a.transactionOp().create().forPath(p + "/b", b("b")),
            a.transactionOp().create().forPath(p + "/a", b("again")),
            a.transactionOp().setData().forPath(p + "/a", b("3")));
    try {
      List<Object> res = new ArrayList<>();
      for (CuratorTransactionResult r : a.transaction().forOperations(bad))
        res.add(obj("type", r.getType().name(), "for", rel(p, r.getForPath()), "error", r.getError()));
      emit(sc, "failed-transaction", obj("returned", res));
    } catch (KeeperException e) {
      List<Object> res = new ArrayList<>();
      if (e.getResults() != null)
        for (OpResult r : e.getResults())
          res.add(r instanceof OpResult.ErrorResult ? "error " + KeeperException.Code.get(((OpResult.ErrorResult) r).getErr()) : r.getClass().getSimpleName());
      emit(sc, "failed-transaction", obj("threw", e.code().name(), "path", rel(p, e.getPath()), "results", res));
    }
    boolean rolledBack = a.checkExists().forPath(p + "/b") == null && s(a.getData().forPath(p + "/a")).equals("2");
    emit(sc, "all-or-nothing", rolledBack, rolledBack);

    try {
      a.transaction().forOperations(List.of(a.transactionOp().check().withVersion(7).forPath(p + "/a"), a.transactionOp().delete().forPath(p + "/a")));
      emit(sc, "check-version-fails", "no error", false);
    } catch (KeeperException e) {
      emit(sc, "check-version-fails", e.code().name(), e.code() == KeeperException.Code.BADVERSION);
    }
  }

  static void containers() throws Exception {
    String sc = "containers";
    String p = base(sc);
    CuratorFramework a = client();
    a.create().creatingParentsIfNeeded().forPath(p);
    a.create().creatingParentContainersIfNeeded().forPath(p + "/x/y/leaf", b("l"));
    // ZooKeeper shows clients ephemeralOwner 0 for containers and TTL nodes (getClientEphemeralOwner).
    Map<String, Object> kinds = new LinkedHashMap<>();
    for (String q : List.of("/x", "/x/y", "/x/y/leaf")) kinds.put(q, owner(a.checkExists().forPath(p + q).getEphemeralOwner()));
    emit(sc, "reported-owners", kinds);
    a.create().withMode(CreateMode.CONTAINER).forPath(p + "/c");
    a.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(p + "/c/e/eph");
    emit(sc, "explicit-container-owner", owner(a.checkExists().forPath(p + "/c").getEphemeralOwner()));
    a.create().withTtl(60_000).withMode(CreateMode.PERSISTENT_WITH_TTL).forPath(p + "/ttl", b("t"));
    emit(sc, "ttl-node-owner", owner(a.checkExists().forPath(p + "/ttl").getEphemeralOwner()));
    List<String> kids = a.getChildren().forPath(p + "/c/e");
    emit(sc, "children-of-container", kids);
    try {
      a.create().withMode(CreateMode.EPHEMERAL).forPath(p + "/c/e/eph/child");
      emit(sc, "child-of-ephemeral", "created", false);
    } catch (KeeperException e) {
      emit(sc, "child-of-ephemeral", e.code().name(), e.code() == KeeperException.Code.NOCHILDRENFOREPHEMERALS);
    }
  }

  /**
   * The containers creatingParentContainersIfNeeded made are reaped once their last child goes; a
   * container that never had a child stays. Needs a server with a short znode.container.checkIntervalMs.
   */
  static void containerReaped() throws Exception {
    String sc = "container-reaped";
    String p = base(sc);
    CuratorFramework a = client();
    a.create().creatingParentsIfNeeded().forPath(p);
    a.create().creatingParentContainersIfNeeded().forPath(p + "/x/y/leaf", b("l"));
    a.create().withMode(CreateMode.CONTAINER).forPath(p + "/fresh");
    a.delete().forPath(p + "/x/y/leaf");
    await("containers /x/y and /x reaped", 20_000, quietly(() -> a.checkExists().forPath(p + "/x") == null));
    emit(sc, "emptied-containers-reaped", true);
    boolean stays = a.checkExists().forPath(p + "/fresh") != null;
    emit(sc, "never-used-container-stays", stays, stays);
    boolean parent = a.checkExists().forPath(p) != null;
    emit(sc, "persistent-parent-stays", parent, parent);
  }

  static void protectedSequential() throws Exception {
    String sc = "protected-sequential";
    String p = base(sc);
    CuratorFramework a = client();
    List<String> names = new ArrayList<>();
    boolean ownerOk = true;
    for (int i = 0; i < 3; i++) {
      String made = a.create().creatingParentsIfNeeded().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(p + "/job-", b("d" + i));
      String node = made.substring(p.length() + 1);
      boolean shape = node.matches("_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-job-\\d{10}");
      emit(sc, "name-shape-" + i, shape, shape);
      names.add(node.replaceAll("_c_[0-9a-f-]{36}-", "_c_UUID-"));
      Stat st = a.checkExists().forPath(made);
      ownerOk &= st != null && st.getEphemeralOwner() == a.getZookeeperClient().getZooKeeper().getSessionId();
    }
    emit(sc, "names", names);
    emit(sc, "ephemeral-of-session", ownerOk, ownerOk);
    List<String> children = a.getChildren().forPath(p);
    emit(sc, "children", children.size(), children.size() == 3);
  }

  static void queue() throws Exception {
    String sc = "queue";
    String p = base(sc) + "/q";
    QueueSerializer<String> ser =
        new QueueSerializer<String>() {
          public byte[] serialize(String item) {
            return b(item);
          }

          public String deserialize(byte[] bytes) {
            return s(bytes);
          }
        };
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    QueueConsumer<String> consumer =
        new QueueConsumer<String>() {
          public void consumeMessage(String m) {
            received.add(m);
          }

          public void stateChanged(CuratorFramework client, ConnectionState state) {}
        };
    DistributedQueue<String> producer = QueueBuilder.builder(client(), null, ser, p).buildQueue();
    DistributedQueue<String> consuming = QueueBuilder.builder(client(), consumer, ser, p).lockPath(base(sc) + "/lock").buildQueue();
    toClose.add(producer);
    toClose.add(consuming);
    producer.start();
    for (int i = 0; i < 5; i++) producer.put("m" + i);
    consuming.start();
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 5; i++) got.add(take(received, "message " + i));
    emit(sc, "received-in-order", got, got.equals(List.of("m0", "m1", "m2", "m3", "m4")));
    producer.put("m5");
    String last = take(received, "message after start");
    emit(sc, "received-live", last, last.equals("m5"));
    CuratorFramework check = client();
    await("queue drained", 15_000, quietly(() -> check.getChildren().forPath(p).isEmpty()));
    emit(sc, "drained", true);
  }

  static void barriers() throws Exception {
    String sc = "barrier";
    String p = base(sc) + "/b";
    DistributedBarrier set = new DistributedBarrier(client(), p);
    DistributedBarrier waiter = new DistributedBarrier(client(), p);
    set.setBarrier();
    boolean passed = waiter.waitOnBarrier(300, TimeUnit.MILLISECONDS);
    emit(sc, "blocks-while-set", passed, !passed);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    Future<Boolean> f = pool.submit(() -> waiter.waitOnBarrier(15, TimeUnit.SECONDS));
    set.removeBarrier();
    boolean released = f.get(20, TimeUnit.SECONDS);
    emit(sc, "released-on-remove", released, released);

    // Double barrier: two of three cannot enter; then three enter and leave together.
    String few = base(sc) + "/few";
    List<Future<Boolean>> fs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      DistributedDoubleBarrier d = new DistributedDoubleBarrier(client(), few, 3);
      fs.add(pool.submit(() -> d.enter(500, TimeUnit.MILLISECONDS)));
    }
    List<Boolean> entered = new ArrayList<>();
    for (Future<Boolean> x : fs) entered.add(x.get(20, TimeUnit.SECONDS));
    emit(sc, "double-two-of-three-enter", entered, !entered.contains(true));

    String all = base(sc) + "/all";
    List<DistributedDoubleBarrier> ds = new ArrayList<>();
    for (int i = 0; i < 3; i++) ds.add(new DistributedDoubleBarrier(client(), all, 3));
    fs.clear();
    for (DistributedDoubleBarrier d : ds) fs.add(pool.submit(() -> d.enter(15, TimeUnit.SECONDS)));
    entered.clear();
    for (Future<Boolean> x : fs) entered.add(x.get(20, TimeUnit.SECONDS));
    emit(sc, "double-three-enter", entered, !entered.contains(false));
    fs.clear();
    for (DistributedDoubleBarrier d : ds) fs.add(pool.submit(() -> d.leave(15, TimeUnit.SECONDS)));
    List<Boolean> left = new ArrayList<>();
    for (Future<Boolean> x : fs) left.add(x.get(20, TimeUnit.SECONDS));
    emit(sc, "double-three-leave", left, !left.contains(false));
    pool.shutdown();
  }

  static void discovery() throws Exception {
    String sc = "discovery";
    String p = base(sc) + "/services";
    CuratorFramework owner = client(), other = client();
    ServiceDiscovery<Void> registering = ServiceDiscoveryBuilder.builder(Void.class).client(owner).basePath(p).build();
    registering.start();
    ServiceInstance<Void> inst = ServiceInstance.<Void>builder().name("pay").id("pay-1").address("10.1.2.3").port(8080).build();
    registering.registerService(inst);
    ServiceDiscovery<Void> querying = ServiceDiscoveryBuilder.builder(Void.class).client(other).basePath(p).build();
    toClose.add(querying);
    querying.start();
    ServiceCache<Void> cache = querying.serviceCacheBuilder().name("pay").build();
    toClose.add(cache);
    cache.start();
    emit(sc, "names", querying.queryForNames());
    List<Object> found = new ArrayList<>();
    for (ServiceInstance<Void> i : querying.queryForInstances("pay"))
      found.add(obj("id", i.getId(), "address", i.getAddress(), "port", i.getPort(), "type", i.getServiceType().name()));
    emit(sc, "instances", found, found.size() == 1);
    ServiceInstance<Void> one = querying.queryForInstance("pay", "pay-1");
    emit(sc, "by-id", one != null && one.getPort() == 8080, one != null && one.getPort() == 8080);
    await("service cache filled", 15_000, () -> cache.getInstances().size() == 1);
    emit(sc, "cache-sees", cache.getInstances().size());
    // Close the registering client (not the discovery): its session ends and the ephemeral goes.
    toClose.remove(owner);
    owner.close();
    await("instance gone", 15_000, quietly(() -> querying.queryForInstances("pay").isEmpty()));
    emit(sc, "gone-after-client-close", true);
    await("service cache emptied", 15_000, () -> cache.getInstances().isEmpty());
    emit(sc, "cache-emptied", true);
    // `registering` stays open: its client is closed, and closing it would only log that it cannot unregister.
  }

  static void plainZooKeeper() throws Exception {
    String sc = "zk39";
    String p = base(sc);
    CuratorFramework setup = client();
    setup.create().creatingParentsIfNeeded().forPath(p);
    ZooKeeper z = zk(null);
    ZooKeeper w = zk(null);

    // addWatch PERSISTENT_RECURSIVE: every change below, one-by-one, and the watch stays.
    BlockingQueue<WatchedEvent> q = new LinkedBlockingQueue<>();
    String pr = p + "/pr";
    z.addWatch(pr, q::add, AddWatchMode.PERSISTENT_RECURSIVE);
    List<String> got = new ArrayList<>();
    List<String> zxids = new ArrayList<>();
    Map<String, Long> txn = new LinkedHashMap<>();
    Stat st = new Stat();
    w.create(pr, b("0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, st);
    txn.put("create /pr", st.getCzxid());
    w.create(pr + "/a", b("1"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, st);
    txn.put("create /pr/a", st.getCzxid());
    txn.put("set /pr/a", w.setData(pr + "/a", b("2"), -1).getMzxid());
    w.create(pr + "/a/b", b("3"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, st);
    txn.put("create /pr/a/b", st.getCzxid());
    w.delete(pr + "/a/b", -1);
    txn.put("delete /pr/a/b", w.exists(pr + "/a", false).getPzxid());
    w.delete(pr + "/a", -1);
    txn.put("delete /pr/a", w.exists(pr, false).getPzxid());
    List<Long> expectZxid = new ArrayList<>(txn.values());
    for (int i = 0; i < txn.size(); i++) {
      WatchedEvent e = take(q, "recursive event " + i);
      got.add(e.getType() + " " + rel(p, e.getPath()));
      zxids.add(e.getZxid() == WatchedEvent.NO_ZXID ? "none" : e.getZxid() == expectZxid.get(i) ? "txn" : "other " + e.getZxid());
    }
    emit(sc, "addWatch-recursive-events", got);
    // 3.9 clients read the zxid that fired an event from the notification header; 3.8 servers send -1.
    emit(sc, "event-zxids", zxids);
    // Still registered: one more change fires once more.
    w.setData(pr, b("again"), -1);
    WatchedEvent again = take(q, "event after many");
    emit(sc, "addWatch-recursive-stays", again.getType() + " " + rel(p, again.getPath()));

    // getEphemerals: this session's ephemerals under a prefix.
    z.create(p + "/eph", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    z.create(p + "/eph/e1", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    z.create(p + "/eph/e2", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    z.create(p + "/eph/sub", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    z.create(p + "/eph/sub/s-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
    w.create(p + "/eph/other", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    List<String> eph = new ArrayList<>();
    for (String e : z.getEphemerals(p + "/eph")) eph.add(rel(p, e));
    Collections.sort(eph);
    emit(sc, "getEphemerals-prefix", eph, eph.equals(List.of("/eph/e1", "/eph/e2", "/eph/sub/s-0000000000")));
    List<String> prefixed = new ArrayList<>();
    for (String e : z.getEphemerals(p + "/eph/e")) prefixed.add(rel(p, e));
    Collections.sort(prefixed);
    emit(sc, "getEphemerals-string-prefix", prefixed);
    emit(sc, "getEphemerals-none", z.getEphemerals(p + "/nothing-here"));

    // getAllChildrenNumber: all descendants.
    z.create(p + "/tree", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    for (String c : List.of("/a", "/a/b", "/a/c", "/a/c/d", "/e"))
      z.create(p + "/tree" + c, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    emit(sc, "getAllChildrenNumber", z.getAllChildrenNumber(p + "/tree"), z.getAllChildrenNumber(p + "/tree") == 5);
    emit(sc, "getAllChildrenNumber-leaf", z.getAllChildrenNumber(p + "/tree/e"));
    try {
      emit(sc, "getAllChildrenNumber-missing", z.getAllChildrenNumber(p + "/tree/none"));
    } catch (KeeperException e) {
      emit(sc, "getAllChildrenNumber-missing", code(e));
    }

    // whoAmI: the ip identity, then the digest identity after addAuthInfo.
    List<String> ids = new ArrayList<>();
    for (ClientInfo ci : z.whoAmI()) ids.add(ci.getAuthScheme() + ":" + ci.getUser());
    Collections.sort(ids);
    emit(sc, "whoAmI", ids);
    z.addAuthInfo("digest", b("alice:secret"));
    ids.clear();
    for (ClientInfo ci : z.whoAmI()) ids.add(ci.getAuthScheme() + ":" + ci.getUser());
    Collections.sort(ids);
    emit(sc, "whoAmI-after-digest", ids);

    // removeAllWatches: data, child and persistent watches, the removal events, then NoWatcher.
    String rw = p + "/rw";
    z.create(rw, b("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    BlockingQueue<WatchedEvent> rq = new LinkedBlockingQueue<>();
    Watcher watcher = rq::add;
    z.getData(rw, watcher, null);
    z.getChildren(rw, watcher);
    z.removeAllWatches(rw, Watcher.WatcherType.Any, false);
    List<String> removed = new ArrayList<>(List.of(take(rq, "removal 1").getType().name(), take(rq, "removal 2").getType().name()));
    Collections.sort(removed);
    emit(sc, "removeAllWatches-events", removed);
    w.setData(rw, b("y"), -1);
    w.create(rw + "/k", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    z.sync(rw);
    z.getData(rw, false, null); // after sync: any event for the changes above would precede this reply
    emit(sc, "no-event-after-removal", rq.size(), rq.isEmpty());
    try {
      z.removeAllWatches(rw, Watcher.WatcherType.Any, false);
      emit(sc, "removeAllWatches-none-left", "ok");
    } catch (KeeperException e) {
      emit(sc, "removeAllWatches-none-left", code(e));
    }
    BlockingQueue<WatchedEvent> pq = new LinkedBlockingQueue<>();
    z.addWatch(rw, pq::add, AddWatchMode.PERSISTENT);
    z.removeAllWatches(rw, Watcher.WatcherType.Any, false);
    WatchedEvent pr2 = take(pq, "persistent removal");
    emit(sc, "removeAllWatches-persistent", pr2.getType().name() + " " + rel(p, pr2.getPath()));
    try {
      z.removeAllWatches(rw + "/k", Watcher.WatcherType.Data, false);
      emit(sc, "removeAllWatches-never-watched", "ok");
    } catch (KeeperException e) {
      emit(sc, "removeAllWatches-never-watched", code(e));
    }
  }

  static final Map<String, Check> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put("mutex", () -> { mutex(); return true; });
    SCENARIOS.put("rwlock", () -> { rwlock(); return true; });
    SCENARIOS.put("semaphore", () -> { semaphore(); return true; });
    SCENARIOS.put("leader-latch", () -> { leaderLatch(); return true; });
    SCENARIOS.put("atomic-long", () -> { atomicLong(); return true; });
    SCENARIOS.put("shared-count", () -> { sharedCount(); return true; });
    SCENARIOS.put("curator-cache", () -> { curatorCache(); return true; });
    SCENARIOS.put("path-children-cache", () -> { pathChildrenCache(); return true; });
    SCENARIOS.put("persistent-node", () -> { persistentNode(); return true; });
    SCENARIOS.put("transaction", () -> { transaction(); return true; });
    SCENARIOS.put("containers", () -> { containers(); return true; });
    SCENARIOS.put("container-reaped", () -> { containerReaped(); return true; });
    SCENARIOS.put("protected-sequential", () -> { protectedSequential(); return true; });
    SCENARIOS.put("queue", () -> { queue(); return true; });
    SCENARIOS.put("barrier", () -> { barriers(); return true; });
    SCENARIOS.put("discovery", () -> { discovery(); return true; });
    SCENARIOS.put("zk39", () -> { plainZooKeeper(); return true; });
  }

  static void closeAll() {
    List<AutoCloseable> all = new ArrayList<>(toClose);
    Collections.reverse(all);
    toClose.clear();
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        // closing after a failure
      }
    }
  }

  // ---------- ensemble: mutex and LeaderLatch across a leader kill ----------

  /** Connect-string order kept (a follower first); a full pass without a connection spins. */
  static final class OrderedHostProvider implements HostProvider {
    final List<InetSocketAddress> hosts;
    int next = 0;
    int sinceConnected = 0;

    OrderedHostProvider(List<InetSocketAddress> hosts) {
      this.hosts = hosts;
    }

    public int size() {
      return hosts.size();
    }

    public InetSocketAddress next(long spinDelay) {
      if (sinceConnected >= hosts.size() && spinDelay > 0) {
        try {
          Thread.sleep(spinDelay); // ZooKeeper's own back-off between passes (StaticHostProvider)
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        sinceConnected = 0;
      }
      sinceConnected++;
      InetSocketAddress a = hosts.get(next);
      next = (next + 1) % hosts.size();
      return a;
    }

    public void onConnected() {
      sinceConnected = 0;
      next = 0; // after a connection, start again from the preferred member
    }

    public boolean updateServerList(Collection<InetSocketAddress> s, InetSocketAddress current) {
      return false;
    }
  }

  static String remote(CuratorFramework c) throws Exception {
    // ZooKeeper.toString(): "State:CONNECTED Timeout:... sessionid:0x... local:/127.0.0.1:x remoteserver:127.0.0.1/127.0.0.1:p ..."
    String t = c.getZookeeperClient().getZooKeeper().toString();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("remoteserver:\\S*?:(\\d+)").matcher(t);
    return m.find() ? m.group(1) : t;
  }

  static void ensemble() throws Exception {
    String sc = "ensemble";
    List<InetSocketAddress> hosts = new ArrayList<>();
    for (String h : connect.split(",")) {
      String[] hp = h.split(":");
      hosts.add(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
    }
    String lock = root + "/lock";
    String counter = root + "/counter";
    CuratorFramework setup = client(connect, hosts);
    setup.create().creatingParentsIfNeeded().forPath(counter, b("0"));

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger holders = new AtomicInteger(), maxHolders = new AtomicInteger();
    AtomicLong[] done = {new AtomicLong(), new AtomicLong()};
    AtomicInteger uncertain = new AtomicInteger();
    List<String> errors = new CopyOnWriteArrayList<>();
    List<CuratorFramework> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      final int id = k;
      CuratorFramework cl = client(connect, hosts);
      clients.add(cl);
      InterProcessMutex m = new InterProcessMutex(cl, lock);
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  boolean held = false;
                  try {
                    held = m.acquire(2, TimeUnit.SECONDS);
                    if (!held) continue;
                    int h = holders.incrementAndGet();
                    maxHolders.accumulateAndGet(h, Math::max);
                    int v = Integer.parseInt(s(cl.getData().forPath(counter)));
                    try {
                      cl.setData().forPath(counter, b(Integer.toString(v + 1)));
                      done[id].incrementAndGet();
                    } catch (Exception e) {
                      uncertain.incrementAndGet(); // outcome unknown (retries exhausted)
                    }
                  } catch (Exception e) {
                    errors.add(e.getClass().getSimpleName());
                  } finally {
                    if (held) {
                      holders.decrementAndGet();
                      try {
                        m.release();
                      } catch (Exception e) {
                        errors.add("release " + e.getClass().getSimpleName());
                      }
                    }
                  }
                }
              },
              "mutex-" + k);
      t.start();
      threads.add(t);
    }

    String latchPath = root + "/latch";
    Object guard = new Object();
    LeaderLatch[] latches = new LeaderLatch[2];
    boolean[] leading = new boolean[2];
    boolean[] closed = new boolean[2];
    AtomicInteger leaders = new AtomicInteger(), maxLeaders = new AtomicInteger(), elections = new AtomicInteger();
    for (int k = 0; k < 2; k++) {
      final int id = k;
      CuratorFramework cl = client(connect, hosts);
      clients.add(cl);
      latches[k] = new LeaderLatch(cl, latchPath, "p" + k);
      latches[k].addListener(
          new LeaderLatchListener() {
            public void isLeader() {
              synchronized (guard) {
                if (closed[id]) return;
                leading[id] = true;
                elections.incrementAndGet();
                maxLeaders.accumulateAndGet(leaders.incrementAndGet(), Math::max);
              }
            }

            public void notLeader() {
              synchronized (guard) {
                if (closed[id] || !leading[id]) return;
                leading[id] = false;
                leaders.decrementAndGet();
              }
            }
          });
      latches[k].start();
    }
    await("both mutex clients make progress and a latch leads", 30_000, () -> done[0].get() >= 3 && done[1].get() >= 3 && leaders.get() == 1);
    // Connection states each client goes through from the kill on (its session must survive).
    AtomicBoolean afterKill = new AtomicBoolean();
    List<List<String>> statesAfterKill = new ArrayList<>();
    List<CuratorFramework> everyone = new ArrayList<>(List.of(setup));
    everyone.addAll(clients);
    for (CuratorFramework c : everyone) {
      List<String> mine = new CopyOnWriteArrayList<>();
      statesAfterKill.add(mine);
      c.getConnectionStateListenable().addListener((cl, st) -> {
        if (afterKill.get()) mine.add(st.name());
      });
    }
    List<String> remotes = new ArrayList<>();
    remotes.add(remote(setup));
    for (CuratorFramework c : clients) remotes.add(remote(c));
    emit(sc, "running", obj("remotePorts", remotes, "done", List.of(done[0].get(), done[1].get())));

    // The test kills the leader and then says so on stdin.
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    if (!"killed".equals(line)) throw new IllegalStateException("expected 'killed' on stdin, got " + line);
    afterKill.set(true);
    long[] atKill = {done[0].get(), done[1].get()};
    int electionsAtKill = elections.get();
    long t0 = System.nanoTime();
    // Progress after the new leader: each mutex client acquires and writes 3 more times.
    await("mutex progress after the kill", 60_000, () -> done[0].get() >= atKill[0] + 3 && done[1].get() >= atKill[1] + 3);
    long progressMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    emit(sc, "mutex-progress-after-kill", obj("ms", progressMs, "before", List.of(atKill[0], atKill[1]), "after", List.of(done[0].get(), done[1].get())));
    // A latch leads after the kill; then hand off: the leader steps down and the other takes over.
    await("a latch leads after the kill", 60_000, () -> leaders.get() == 1);
    int leader;
    synchronized (guard) {
      leader = leading[0] ? 0 : 1;
      closed[leader] = true;
      leading[leader] = false;
      leaders.decrementAndGet();
    }
    latches[leader].close();
    await("the other latch takes over", 30_000, () -> leaders.get() == 1 && leading[1 - leader]);
    emit(sc, "latch-handoff-after-kill", obj("electionsSinceKill", elections.get() - electionsAtKill > 0));

    stop.set(true);
    for (Thread t : threads) t.join(30_000);
    long total = done[0].get() + done[1].get();
    int counterValue = Integer.parseInt(s(setup.getData().forPath(counter)));
    boolean counterOk = counterValue >= total && counterValue <= total + uncertain.get();
    emit(sc, "counter", obj("value", counterValue, "acknowledged", total, "uncertain", uncertain.get()), counterOk);
    emit(sc, "max-simultaneous-lock-holders", maxHolders.get(), maxHolders.get() == 1);
    emit(sc, "max-simultaneous-leaders", maxLeaders.get(), maxLeaders.get() == 1);
    emit(sc, "transient-errors", errors);
    boolean noLost = statesAfterKill.stream().noneMatch(l -> l.contains("LOST"));
    emit(sc, "connection-states-after-kill", statesAfterKill, noLost);
    List<String> after = new ArrayList<>();
    for (CuratorFramework c : everyone) after.add(remote(c));
    emit(sc, "remote-ports-after", after);
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "error"));
    if (args.length < 3) {
      System.err.println("usage: CuratorRunner scenarios|ensemble CONNECT ROOT [NAME...]");
      System.exit(2);
    }
    connect = args[1];
    root = args[2];
    if (args[0].equals("ensemble")) {
      try {
        ensemble();
      } catch (Exception e) {
        emit("ensemble", "crash", e.toString(), false);
      }
    } else {
      List<String> names = args.length > 3 ? List.of(args).subList(3, args.length) : new ArrayList<>(SCENARIOS.keySet());
      for (String name : names) {
        Check scenario = SCENARIOS.get(name);
        if (scenario == null) {
          emit(name, "crash", "unknown scenario", false);
          continue;
        }
        long t0 = System.nanoTime();
        try {
          scenario.get();
        } catch (Exception e) {
          emit(name, "crash", e.toString(), false);
        } finally {
          closeAll();
        }
        System.err.printf("scenario %s took %d ms%n", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      }
    }
    closeAll();
    System.out.flush();
    // Curator and ZooKeeper leave non-daemon threads behind after a failure: exit explicitly.
    System.exit(violated.get() ? 1 : 0);
  }
}
