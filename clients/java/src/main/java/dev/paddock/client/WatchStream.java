package dev.paddock.client;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import paddock.v1.Watch;
import paddock.v1.WatchServiceGrpc;

/**
 * A resumable watch stream (WatchService/Watch): every change after a zxid to a node or subtree,
 * in zxid order, each once. Read it with {@link #take()} or {@link #poll}; close it when done.
 * When the stream breaks (the server went away, or cut a slow reader, or nothing at all came for
 * three progress intervals: a half-open connection) it reopens by itself, on the next server if
 * need be, from {@link #lastZxid()}, so nothing is missed or repeated. A start older than the
 * server's history ends it with a {@link WatchCompactedException}.
 */
public final class WatchStream implements AutoCloseable {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Metadata.Key<String> AUTH =
      Metadata.Key.of("paddock-auth", Metadata.ASCII_STRING_MARSHALLER);
  private static final Object END = new Object();
  private static final long RETRY_MIN_MS = 50;
  private static final long RETRY_MAX_MS = 1000;
  // The server's progress interval when the request leaves it 0, and its clamp.
  private static final int PROGRESS_DEFAULT_MS = 5000;
  private static final int PROGRESS_MIN_MS = 100;
  private static final int PROGRESS_MAX_MS = 600_000;
  // A stream silent for this many progress intervals is taken as broken: a connection that
  // stopped carrying bytes without a FIN or RST (a dead peer, a dropped route) never errors.
  private static final int IDLE_INTERVALS = 3;
  // One daemon thread for every stream's watchdog: it only cancels calls. A watchdog is
  // re-armed per message, so cancelled ones leave the queue at once rather than at their time.
  private static final ScheduledThreadPoolExecutor WATCHDOGS = watchdogs();

  private static ScheduledThreadPoolExecutor watchdogs() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "paddock-watch-stream-watchdog");
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  /** What a stream delivers; the defaults watch one node from now. Immutable. */
  public static final class Options {
    private Long fromZxid;
    private boolean recursive;
    private boolean withData;
    private boolean childrenEvents;
    private int progressIntervalMs;
    private int bufferMax = 1024;
    private boolean withPrevData;
    private Set<EventType> eventTypes = Collections.emptySet();

    private Options() {}

    public static Options defaults() {
      return new Options();
    }

    private Options copy() {
      Options o = new Options();
      o.fromZxid = fromZxid;
      o.recursive = recursive;
      o.withData = withData;
      o.childrenEvents = childrenEvents;
      o.progressIntervalMs = progressIntervalMs;
      o.bufferMax = bufferMax;
      o.withPrevData = withPrevData;
      o.eventTypes = eventTypes;
      return o;
    }

    /** Changes committed after this zxid; default: from the server's current zxid. */
    public Options fromZxid(long zxid) {
      Options o = copy();
      o.fromZxid = zxid;
      return o;
    }

    /** The node and every node below it. */
    public Options recursive(boolean on) {
      Options o = copy();
      o.recursive = on;
      return o;
    }

    /** Data and stat (after the transaction) on created and data-changed events. */
    public Options withData(boolean on) {
      Options o = copy();
      o.withData = on;
      return o;
    }

    /** Also NODE_CHILDREN_CHANGED events. */
    public Options childrenEvents(boolean on) {
      Options o = copy();
      o.childrenEvents = on;
      return o;
    }

    /**
     * Progress after this many idle ms (the server clamps to [100, 600000]); 0: its default,
     * 5000. Three intervals without any message: the stream is taken for half-open and reopened.
     */
    public Options progressIntervalMs(int ms) {
      Options o = copy();
      o.progressIntervalMs = ms;
      return o;
    }

    /** Batches waiting for the reader before the stream stops reading (then it resumes). */
    public Options bufferMax(int n) {
      Options o = copy();
      o.bufferMax = n;
      return o;
    }

    /**
     * The node before the transaction (prevData, prevStat) on data-changed and deleted events,
     * as etcd's prev_kv.
     */
    public Options withPrevData(boolean on) {
      Options o = copy();
      o.withPrevData = on;
      return o;
    }

    /**
     * Only these event types (NODE_CREATED, NODE_DELETED, NODE_DATA_CHANGED,
     * NODE_CHILDREN_CHANGED; the last still needs childrenEvents); none: every type.
     */
    public Options eventTypes(EventType... types) {
      Options o = copy();
      EnumSet<EventType> set = EnumSet.noneOf(EventType.class);
      set.addAll(Arrays.asList(types));
      o.eventTypes = Collections.unmodifiableSet(set);
      return o;
    }

    public Long fromZxid() {
      return fromZxid;
    }

    public boolean recursive() {
      return recursive;
    }

    public boolean withData() {
      return withData;
    }

    public boolean childrenEvents() {
      return childrenEvents;
    }

    public int progressIntervalMs() {
      return progressIntervalMs;
    }

    public int bufferMax() {
      return bufferMax;
    }

    public boolean withPrevData() {
      return withPrevData;
    }

    public Set<EventType> eventTypes() {
      return eventTypes;
    }
  }

  private final SessionConnection session;
  private final String path;
  private final Options options;
  // Batches, then END once the stream is over; a full queue stops the reader thread, and gRPC's
  // flow control then lets the server cut us as a slow consumer: we resume from position.
  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private volatile long position;
  private volatile boolean started;
  private volatile boolean closed;
  private volatile String server;
  private volatile PaddockException failure;
  private volatile Context.CancellableContext call;

  WatchStream(SessionConnection session, String path, Options options) {
    if (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/"))) {
      throw new IllegalArgumentException(
          "watch stream path '" + path + "' must be absolute, without a trailing /");
    }
    if (options.bufferMax() < 1 || options.progressIntervalMs() < 0) {
      throw new IllegalArgumentException(
          "watch stream on " + path + ": bufferMax must be >= 1 and progressIntervalMs >= 0");
    }
    for (EventType t : options.eventTypes()) {
      if (t.value() < EventType.NODE_CREATED.value()
          || t.value() > EventType.NODE_CHILDREN_CHANGED.value()) {
        throw new IllegalArgumentException(
            "watch stream on "
                + path
                + ": eventTypes: "
                + t
                + " is not one a watch stream carries (NODE_CREATED, NODE_DELETED,"
                + " NODE_DATA_CHANGED, NODE_CHILDREN_CHANGED)");
      }
    }
    this.session = session;
    this.path = path;
    this.options = options;
    this.queue = new ArrayBlockingQueue<>(options.bufferMax() + 1);
    if (options.fromZxid() != null) {
      position = options.fromZxid();
      started = true;
    }
    thread = new Thread(this::run, "paddock-watch-stream-" + IDS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The next batch, waiting for it; null once the stream was closed. Throws the reason the
   * stream ended (a WatchCompactedException, or a refusal such as NoAuth or BadArguments).
   */
  public WatchBatch take() throws PaddockException, InterruptedException {
    return unwrap(queue.take());
  }

  /** As {@link #take()}, but null also when nothing came within the timeout. */
  public WatchBatch poll(long timeout, TimeUnit unit)
      throws PaddockException, InterruptedException {
    Object item = queue.poll(timeout, unit);
    return item == null ? null : unwrap(item);
  }

  private WatchBatch unwrap(Object item) throws PaddockException {
    if (item != END) {
      return (WatchBatch) item;
    }
    queue.offer(END); // later calls end too (the take made room)
    if (failure != null && !closed) {
      throw failure;
    }
    return null;
  }

  /** The zxid up to which every change was received (resume from it); -1 before it is known. */
  public long lastZxid() {
    return started ? position : -1;
  }

  /** The server the stream is on now (or was last on). */
  public String server() {
    return server;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Ends the stream and waits for its thread; later take() calls return null. */
  @Override
  public void close() {
    closed = true;
    Context.CancellableContext c = call;
    if (c != null) {
      c.cancel(null);
    }
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.clear();
    queue.offer(END);
  }

  private void run() {
    List<String> servers = session.servers;
    int index = Math.max(session.serverIndex, 0);
    int failures = 0;
    try {
      while (!closed) {
        String target = servers.get(index % servers.size());
        server = target;
        Outcome outcome = once(target);
        if (outcome == Outcome.HERE) {
          failures = 0;
          continue;
        }
        index++;
        if (outcome == Outcome.FAILED && ++failures >= servers.size()) {
          long shift = Math.min(failures - servers.size(), 10);
          Thread.sleep(Math.min(RETRY_MIN_MS << shift, RETRY_MAX_MS)); // retry backoff
        }
      }
    } catch (PaddockException e) {
      failure = e;
      try {
        queue.put(END);
      } catch (InterruptedException ignored) {
        // closed while the reader had not drained the batches
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      failure =
          PaddockException.create(
              ErrorCode.SYSTEM_ERROR, path, "watch stream failed: " + e);
      queue.offer(END);
    }
  }

  private enum Outcome {
    FAILED, // broken without a reason: the next server
    HERE, // the server cut a slow reader: reopen here at once
    ELSEWHERE // the member stopped serving: the next one at once
  }

  private Outcome once(String target) throws PaddockException, InterruptedException {
    Watch.WatchStreamRequest.Builder req =
        Watch.WatchStreamRequest.newBuilder()
            .setPath(path)
            .setRecursive(options.recursive())
            .setWithData(options.withData())
            .setChildrenEvents(options.childrenEvents())
            .setProgressIntervalMs(Math.min(options.progressIntervalMs(), PROGRESS_MAX_MS))
            .setWithPrevData(options.withPrevData())
            // Always: FragmentJoin puts a transaction back together, so none is too large for
            // the server's reply limit.
            .setFragment(true);
    for (EventType t : options.eventTypes()) {
      req.addEventTypesValue(t.value());
    }
    if (started) {
      req.setFromZxid(position);
    }
    Metadata headers = new Metadata();
    for (ClientOptions.AuthInfo a : session.auth) {
      // paddock-auth carries text: digest credentials are "user:password".
      if (a.scheme().equals("digest")) {
        headers.put(AUTH, "digest " + new String(a.auth(), StandardCharsets.UTF_8));
      }
    }
    NettyChannelBuilder builder =
        session.options.channelCredentials == null
            ? NettyChannelBuilder.forTarget(target).usePlaintext()
            : NettyChannelBuilder.forTarget(target, session.options.channelCredentials);
    ManagedChannel channel = builder.maxInboundMessageSize(256 << 20).build();
    Context.CancellableContext ctx = Context.current().withCancellation();
    call = ctx;
    Context previous = ctx.attach();
    long idleMs = idleTimeoutMs(req.getProgressIntervalMs());
    // Cancels the call when the server stays silent too long; hasNext then fails and the
    // stream reopens like any broken one. Not armed while a batch waits for the reader.
    ScheduledFuture<?> watchdog = null;
    try {
      if (closed) {
        return Outcome.FAILED;
      }
      watchdog = WATCHDOGS.schedule(() -> ctx.cancel(null), idleMs, TimeUnit.MILLISECONDS);
      Iterator<Watch.WatchStreamResponse> it =
          WatchServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .watch(req.build());
      FragmentJoin join = new FragmentJoin(path);
      while (it.hasNext()) {
        Watch.WatchStreamResponse m = it.next();
        watchdog.cancel(false);
        Outcome outcome = onMessage(m, join);
        if (outcome != null) {
          return outcome;
        }
        watchdog = WATCHDOGS.schedule(() -> ctx.cancel(null), idleMs, TimeUnit.MILLISECONDS);
      }
      return Outcome.FAILED;
    } catch (StatusRuntimeException e) {
      String detail = e.getStatus().getDescription();
      switch (e.getStatus().getCode()) {
        case INVALID_ARGUMENT -> throw new PaddockException.BadArgumentsException(path, detail);
        case PERMISSION_DENIED -> throw new PaddockException.NoAuthException(path, detail);
        case UNAUTHENTICATED -> throw PaddockException.create(ErrorCode.AUTH_FAILED, path, detail);
        default -> {
          return Outcome.FAILED;
        }
      }
    } finally {
      if (watchdog != null) {
        watchdog.cancel(false);
      }
      ctx.detach(previous);
      ctx.cancel(null);
      channel.shutdownNow();
    }
  }

  /** How long a stream may stay silent before it is reopened, for the interval requested. */
  static long idleTimeoutMs(int progressIntervalMs) {
    int ms = progressIntervalMs == 0 ? PROGRESS_DEFAULT_MS : progressIntervalMs;
    return (long) Math.min(Math.max(ms, PROGRESS_MIN_MS), PROGRESS_MAX_MS) * IDLE_INTERVALS;
  }

  /** Null to keep reading; else how the stream ended. */
  private Outcome onMessage(Watch.WatchStreamResponse m, FragmentJoin join)
      throws PaddockException, InterruptedException {
    switch (m.getKindCase()) {
      case PROGRESS -> {
        join.progress(m.getProgress().getZxid());
        advance(m.getProgress().getZxid());
      }
      case CHANGES -> {
        WatchBatch batch = join.add(m.getChanges(), started ? position : -1);
        if (batch != null) {
          queue.put(batch);
          advance(batch.zxid());
        }
      }
      case CANCELED -> {
        Watch.WatchCanceled c = m.getCanceled();
        if (c.getReason() == Watch.WatchCancelReason.WATCH_CANCEL_REASON_COMPACTED) {
          throw new WatchCompactedException(path, c.getOldestZxid(), c.getMessage());
        }
        advance(c.getLastZxid());
        return c.getReason() == Watch.WatchCancelReason.WATCH_CANCEL_REASON_MEMBER_UNAVAILABLE
            ? Outcome.ELSEWHERE
            : Outcome.HERE;
      }
      default -> {}
    }
    return null;
  }

  private void advance(long zxid) {
    if (!started || zxid > position) {
      position = zxid;
      started = true;
    }
  }
}
