package dev.paddock.client;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import paddock.v1.Watch;
import paddock.v1.WatchServiceGrpc;

/**
 * A resumable watch stream (WatchService/Watch): every change after a zxid to a node or subtree,
 * in zxid order, each once. Read it with {@link #take()} or {@link #poll}; close it when done.
 * When the stream breaks (the server went away, or cut a slow reader) it reopens by itself, on
 * the next server if need be, from {@link #lastZxid()}, so nothing is missed or repeated. A start
 * older than the server's history ends it with a {@link WatchCompactedException}.
 */
public final class WatchStream implements AutoCloseable {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Metadata.Key<String> AUTH =
      Metadata.Key.of("paddock-auth", Metadata.ASCII_STRING_MARSHALLER);
  private static final Object END = new Object();
  private static final long RETRY_MIN_MS = 50;
  private static final long RETRY_MAX_MS = 1000;

  /** What a stream delivers; the defaults watch one node from now. */
  public record Options(
      Long fromZxid,
      boolean recursive,
      boolean withData,
      boolean childrenEvents,
      int progressIntervalMs,
      int bufferMax) {
    public static Options defaults() {
      return new Options(null, false, false, false, 0, 1024);
    }

    public Options fromZxid(long zxid) {
      return new Options(zxid, recursive, withData, childrenEvents, progressIntervalMs, bufferMax);
    }

    public Options recursive(boolean on) {
      return new Options(fromZxid, on, withData, childrenEvents, progressIntervalMs, bufferMax);
    }

    public Options withData(boolean on) {
      return new Options(fromZxid, recursive, on, childrenEvents, progressIntervalMs, bufferMax);
    }

    public Options childrenEvents(boolean on) {
      return new Options(fromZxid, recursive, withData, on, progressIntervalMs, bufferMax);
    }

    /** Progress after this many idle ms (the server clamps to [100, 600000]); 0: its default. */
    public Options progressIntervalMs(int ms) {
      return new Options(fromZxid, recursive, withData, childrenEvents, ms, bufferMax);
    }

    /** Batches waiting for the reader before the stream stops reading (then it resumes). */
    public Options bufferMax(int n) {
      return new Options(fromZxid, recursive, withData, childrenEvents, progressIntervalMs, n);
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
            .setProgressIntervalMs(Math.min(options.progressIntervalMs(), 600_000));
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
    try {
      if (closed) {
        return Outcome.FAILED;
      }
      Iterator<Watch.WatchStreamResponse> it =
          WatchServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .watch(req.build());
      while (it.hasNext()) {
        Outcome outcome = onMessage(it.next());
        if (outcome != null) {
          return outcome;
        }
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
      ctx.detach(previous);
      ctx.cancel(null);
      channel.shutdownNow();
    }
  }

  /** Null to keep reading; else how the stream ended. */
  private Outcome onMessage(Watch.WatchStreamResponse m)
      throws PaddockException, InterruptedException {
    switch (m.getKindCase()) {
      case PROGRESS -> advance(m.getProgress().getZxid());
      case CHANGES -> {
        Watch.WatchChanges changes = m.getChanges();
        long zxid = changes.getZxid();
        // The server sends each zxid once and a resume starts after position: a repeat is a
        // server bug, not something to hide.
        if (started && zxid <= position) {
          throw PaddockException.create(
              ErrorCode.SYSTEM_ERROR, path, "watch stream repeated zxid 0x" + Long.toHexString(zxid));
        }
        List<WatchChange> out = new ArrayList<>(changes.getChangesCount());
        for (Watch.WatchChange c : changes.getChangesList()) {
          boolean withStat = c.hasStat();
          out.add(
              new WatchChange(
                  EventType.fromValue(c.getTypeValue()),
                  c.getPath(),
                  withStat ? c.getData().toByteArray() : null,
                  withStat ? Protos.stat(c.getStat()) : null));
        }
        queue.put(new WatchBatch(zxid, List.copyOf(out)));
        advance(zxid);
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
