package dev.paddock.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.paddock.client.ClientOptions;
import dev.paddock.client.Ids;
import dev.paddock.client.PaddockClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * `paddock bench`'s Java generator (--generator java): bench/load-worker.ts in Java. It opens
 * `clients` sessions, each its own connection (Paddock through clients/java; ZooKeeper, or
 * Paddock's ZooKeeper door, through ZooKeeper's Java client), runs `concurrency` closed loops on
 * each through the clients' asynchronous calls (each loop issues its next call from the previous
 * one's completion, on the client's own callback thread), and records the latency of operations
 * that start after the warm-up and end before the deadline.
 *
 * <p>The coordinator (bench/load-runner.ts) talks to it in JSON lines: on stdin a job, then a go;
 * on stdout ready, then a result (or failed). The messages are load-worker.ts's WorkerJob,
 * WorkerGo and WorkerReply; the histogram is bench/histogram.ts's. The process exits when its
 * stdin closes, so it never outlives the coordinator.
 */
public final class Main {
  private static final int CONNECT_DEADLINE_MS = 15_000;
  private static final Gson GSON = new Gson();
  private static final PrintStream OUT =
      new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);

  private Main() {}

  static synchronized void post(Map<String, Object> message) {
    OUT.println(GSON.toJson(message));
    OUT.flush();
  }

  static void fail(String message) {
    post(Map.of("type", "failed", "message", message));
    Runtime.getRuntime().halt(1);
  }

  /** CPU time of this process, every thread, user and system: getrusage(RUSAGE_SELF)'s figure. */
  static double cpuSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  /** One session's asynchronous calls; `done` gets null or the failure. */
  interface Session {
    void create(String path, byte[] data, boolean sequential, Consumer<Throwable> done);

    void setData(String path, byte[] data, Consumer<Throwable> done);

    void getData(String path, Consumer<Throwable> done);

    void close() throws Exception;
  }

  /** Paddock through clients/java: its own gRPC channel per session. */
  record PaddockSession(PaddockClient c) implements Session {
    public void create(String path, byte[] data, boolean sequential, Consumer<Throwable> done) {
      var mode =
          sequential
              ? dev.paddock.client.CreateMode.PERSISTENT_SEQUENTIAL
              : dev.paddock.client.CreateMode.PERSISTENT;
      c.create(path, data, Ids.OPEN_ACL_UNSAFE, mode).whenComplete((r, e) -> done.accept(e));
    }

    public void setData(String path, byte[] data, Consumer<Throwable> done) {
      c.setData(path, data, -1).whenComplete((r, e) -> done.accept(e));
    }

    public void getData(String path, Consumer<Throwable> done) {
      c.getData(path, false).whenComplete((r, e) -> done.accept(e));
    }

    public void close() throws Exception {
      c.closeAsync().get(2, TimeUnit.SECONDS);
    }
  }

  /** ZooKeeper's protocol through ZooKeeper's Java client: one TCP connection per session. */
  record ZooKeeperSession(ZooKeeper zk) implements Session {
    static Throwable error(int rc, String path) {
      return rc == 0 ? null : KeeperException.create(KeeperException.Code.get(rc), path);
    }

    public void create(String path, byte[] data, boolean sequential, Consumer<Throwable> done) {
      var mode = sequential ? CreateMode.PERSISTENT_SEQUENTIAL : CreateMode.PERSISTENT;
      zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, mode, (rc, p, ctx, name) -> done.accept(error(rc, p)), null);
    }

    public void setData(String path, byte[] data, Consumer<Throwable> done) {
      zk.setData(path, data, -1, (rc, p, ctx, stat) -> done.accept(error(rc, p)), null);
    }

    public void getData(String path, Consumer<Throwable> done) {
      zk.getData(path, false, (rc, p, ctx, data, stat) -> done.accept(error(rc, p)), null);
    }

    public void close() throws Exception {
      zk.close(2000);
    }
  }

  static String shuffled(String connect) {
    List<String> servers = new ArrayList<>(Arrays.asList(connect.split(",")));
    Collections.shuffle(servers);
    return String.join(",", servers);
  }

  static CompletableFuture<Session> open(Job j) {
    if (j.target.equals("zookeeper") || "jute".equals(j.paddockClient)) {
      // The zookeeper target, or Paddock's (or the no-op's) ZooKeeper door (--paddock-client jute).
      return CompletableFuture.supplyAsync(
          () -> {
            CountDownLatch connected = new CountDownLatch(1);
            try {
              ZooKeeper zk =
                  new ZooKeeper(
                      shuffled(j.address),
                      j.sessionTimeoutMs,
                      e -> {
                        if (e.getState() == KeeperState.SyncConnected) connected.countDown();
                      });
              if (!connected.await(CONNECT_DEADLINE_MS, TimeUnit.MILLISECONDS)) {
                zk.close();
                throw new IllegalStateException(
                    "ZooKeeper's client: no session from " + j.address + " within " + CONNECT_DEADLINE_MS + " ms");
              }
              return new ZooKeeperSession(zk);
            } catch (Exception e) {
              throw new java.util.concurrent.CompletionException(e);
            }
          });
    }
    // paddock and noop (which speaks Paddock's session protocol) through clients/java.
    ClientOptions options =
        ClientOptions.builder()
            .sessionTimeoutMs(j.sessionTimeoutMs)
            .connectTimeoutMs(CONNECT_DEADLINE_MS)
            .maxQueuedRequests(Math.max(4096, 2 * j.concurrency))
            .build();
    return PaddockClient.connectAsync(shuffled(j.address), options).thenApply(PaddockSession::new);
  }

  /** load-worker.ts's WorkerJob (the fields this generator reads). */
  static final class Job {
    String target;
    String address;
    String workload;
    int workerIndex;
    int clients;
    int concurrency;
    int valueSize;
    double readRatio;
    String prefix;
    int sessionTimeoutMs;
    String paddockClient;

    String key(int c, int l) {
      return prefix + "/k-" + workerIndex + "-" + c + "-" + l;
    }
  }

  static byte[] valueOfSize(int n) {
    byte[] v = new byte[n];
    for (int i = 0; i < n; i++) v[i] = (byte) (97 + i % 26);
    return v;
  }

  static Map<String, Object> run(Job j, CompletableFuture<JsonObject> go) throws Exception {
    List<CompletableFuture<Session>> opening = new ArrayList<>();
    for (int c = 0; c < j.clients; c++) opening.add(open(j));
    List<Session> sessions = new ArrayList<>();
    Throwable openError = null;
    for (var f : opening) {
      try {
        sessions.add(f.get());
      } catch (Exception e) {
        openError = e.getCause() != null ? e.getCause() : e;
      }
    }
    int size = j.workload.equals("create-100") ? 100 : j.workload.equals("create-1k") ? 1024 : j.valueSize;
    byte[] value = valueOfSize(size);
    if (openError == null && List.of("set", "get", "mixed").contains(j.workload)) {
      List<CompletableFuture<Void>> made = new ArrayList<>();
      for (int c = 0; c < j.clients; c++)
        for (int l = 0; l < j.concurrency; l++) {
          CompletableFuture<Void> f = new CompletableFuture<>();
          sessions.get(c).create(j.key(c, l), value, false, e -> {
            if (e == null) f.complete(null);
            else f.completeExceptionally(e);
          });
          made.add(f);
        }
      try {
        CompletableFuture.allOf(made.toArray(CompletableFuture[]::new)).get();
      } catch (Exception e) {
        openError = e.getCause() != null ? e.getCause() : e;
      }
    }
    if (openError != null) {
      closeAll(sessions);
      fail("gen-java: " + openError);
    }
    post(Map.of("type", "ready"));

    Window w = new Window(go.get());
    int loops = j.clients * j.concurrency;
    CountDownLatch ended = new CountDownLatch(loops);
    List<Loop> all = new ArrayList<>();
    for (int c = 0; c < j.clients; c++)
      for (int l = 0; l < j.concurrency; l++)
        all.add(new Loop(w, j, sessions.get(c), j.key(c, l), value, ended::countDown));
    for (Loop loop : all) loop.next();
    ended.await();
    double cpuEnd = cpuSeconds();

    Histogram total = new Histogram();
    long ops = 0;
    double first = Double.POSITIVE_INFINITY;
    double last = 0;
    for (Loop loop : all) {
      total.merge(loop.histogram);
      ops += loop.ops;
      first = Math.min(first, loop.firstMs);
      last = Math.max(last, loop.lastEndMs);
    }
    closeAll(sessions);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("type", "result");
    r.put("histogram", total.data());
    r.put("ops", ops);
    r.put("errors", w.errors.get());
    if (w.sample != null) r.put("errorSample", w.sample);
    r.put("elapsedMs", ops > 0 ? last - first : 0);
    synchronized (w) {
      r.put("cpuSeconds", Double.isNaN(w.cpuAtStart) ? 0 : cpuEnd - w.cpuAtStart);
    }
    return r;
  }

  static void closeAll(List<Session> sessions) {
    sessions.parallelStream()
        .forEach(
            s -> {
              try {
                s.close();
              } catch (Exception e) {
                // closing is best effort: the result is what counts
              }
            });
  }

  /** The measured window and the counters every loop of this process shares. */
  static final class Window {
    final double startMs;
    final double endMs;
    final long quota;
    /** Epoch ms = offsetMs + nanoTime / 1e6: one clock read per boundary. */
    final double offsetMs = System.currentTimeMillis() - System.nanoTime() / 1e6;
    final AtomicLong started = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile boolean anyOk;
    volatile String sample;
    /**
     * Read as the first measured operation starts, not by a timer: a timer that fires late on a
     * loaded machine would miss a short window entirely.
     */
    volatile double cpuAtStart = Double.NaN;

    Window(JsonObject go) {
      startMs = go.get("measureStartEpochMs").getAsDouble();
      endMs = go.has("measureEndEpochMs") ? go.get("measureEndEpochMs").getAsDouble() : Double.POSITIVE_INFINITY;
      quota = go.has("opsQuota") ? go.get("opsQuota").getAsLong() : -1;
    }

    double epochMs(long nanos) {
      return offsetMs + nanos / 1e6;
    }

    void measuring() {
      if (Double.isNaN(cpuAtStart)) {
        synchronized (this) {
          if (Double.isNaN(cpuAtStart)) cpuAtStart = cpuSeconds();
        }
      }
    }
  }

  /**
   * One closed loop: `next` issues an operation, its completion records it and issues the next.
   * A completion that lands while `next` is still issuing (a call refused at once) lets `next`'s
   * while loop continue rather than recursing; `phase` makes sure exactly one of them goes on.
   */
  static final class Loop implements Consumer<Throwable> {
    final Window w;
    final Job j;
    final Session s;
    final String key;
    final byte[] value;
    final Runnable ended;
    final Histogram histogram = new Histogram();
    long ops;
    double firstMs = Double.POSITIVE_INFINITY;
    double lastEndMs;
    private long t0;
    private boolean measured;
    /** 0: waiting for a completion; 1: issuing; 2: completed while issuing. */
    private final AtomicInteger phase = new AtomicInteger();
    private volatile boolean stopped;

    Loop(Window w, Job j, Session s, String key, byte[] value, Runnable ended) {
      this.w = w;
      this.j = j;
      this.s = s;
      this.key = key;
      this.value = value;
      this.ended = ended;
    }

    void next() {
      while (true) {
        t0 = System.nanoTime();
        double e0 = w.epochMs(t0);
        measured = e0 >= w.startMs;
        if (e0 >= w.endMs || (measured && w.quota >= 0 && w.started.incrementAndGet() > w.quota)) {
          ended.run();
          return;
        }
        if (measured) w.measuring();
        phase.set(1);
        issue();
        if (phase.compareAndSet(1, 0) || stopped) return;
      }
    }

    private void issue() {
      switch (j.workload) {
        case "create-100", "create-1k" -> s.create(j.prefix + "/n-", value, true, this);
        case "set" -> s.setData(key, value, this);
        case "get" -> s.getData(key, this);
        default -> {
          if (ThreadLocalRandom.current().nextDouble() < j.readRatio) s.getData(key, this);
          else s.setData(key, value, this);
        }
      }
    }

    @Override
    public void accept(Throwable error) {
      long t1 = System.nanoTime();
      if (error != null) {
        if (measured) {
          w.errors.incrementAndGet();
          if (w.sample == null) w.sample = error.toString();
        }
        if (w.errors.get() > 1000 && !w.anyOk) { // nothing works: stop instead of spinning
          stopped = true;
          ended.run();
        }
      } else {
        double e1 = w.epochMs(t1);
        if (measured && e1 <= w.endMs) {
          histogram.record((t1 - t0) / 1e3);
          ops++;
          w.anyOk = true;
          firstMs = Math.min(firstMs, w.epochMs(t0));
          lastEndMs = Math.max(lastEndMs, e1);
        }
      }
      if (phase.compareAndSet(1, 2) || stopped) return;
      next();
    }
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null) Runtime.getRuntime().halt(2);
    Job j = null;
    try {
      JsonObject m = JsonParser.parseString(line).getAsJsonObject();
      if (m.has("type") && m.get("type").getAsString().equals("job")) j = GSON.fromJson(m, Job.class);
    } catch (RuntimeException e) {
      // reported below
    }
    if (j == null) fail("gen-java: expected a job, got " + line);
    if (j.clients < 1 || j.concurrency < 1)
      fail("gen-java: clients " + j.clients + " and concurrency " + j.concurrency + " must be at least 1");
    CompletableFuture<JsonObject> go = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String l; (l = in.readLine()) != null; ) {
                  JsonObject m = JsonParser.parseString(l).getAsJsonObject();
                  if (m.get("type").getAsString().equals("go")) go.complete(m);
                }
              } catch (Exception e) {
                fail("gen-java: bad message: " + e);
              }
              // The coordinator is gone: do not outlive it.
              System.err.println("gen-java: stdin closed; exiting");
              Runtime.getRuntime().halt(2);
            },
            "stdin");
    reader.setDaemon(true);
    reader.start();
    try {
      post(run(j, go));
    } catch (Exception e) {
      fail("gen-java: " + e);
    }
    // The clients' threads need not wind down: the result is out.
    Runtime.getRuntime().halt(0);
  }
}
