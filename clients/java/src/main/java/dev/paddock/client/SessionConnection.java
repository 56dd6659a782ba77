package dev.paddock.client;

import com.google.protobuf.ByteString;
import dev.paddock.client.PaddockException.AuthFailedException;
import dev.paddock.client.PaddockException.ConnectionLossException;
import dev.paddock.client.PaddockException.SessionExpiredException;
import dev.paddock.client.PaddockException.ThrottledException;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import paddock.v1.Data;
import paddock.v1.Session;
import paddock.v1.SessionServiceGrpc;

/**
 * The session state machine over one bidi stream at a time. All its state belongs to one I/O
 * thread (gRPC delivers inbound messages on it too), so there are no locks: callers only append
 * to a bounded queue. The I/O thread is the single writer: it drains the queue into as few
 * envelopes as the limits allow. User code (watchers, listeners, async completions) runs on a
 * second, event thread, in the order the server sent things, so a watch event is seen before a
 * reply that shows its data (ZooKeeper's ordering guarantee).
 */
final class SessionConnection {
  private static final Logger LOG = Logger.getLogger(SessionConnection.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final int MAX_INBOUND_BYTES = 256 << 20;
  /** Per-message overhead in an envelope (tag and length), for the size budget. */
  private static final int ENVELOPE_OVERHEAD = 6;

  private final List<String> servers;
  private final ClientOptions options;
  private final ScheduledThreadPoolExecutor io;
  private final ExecutorService events;
  private final Executor ioSafe;
  private volatile Thread eventThread;
  final WatchRegistry watches = new WatchRegistry();
  private final List<SessionStateListener> listeners = new CopyOnWriteArrayList<>();
  private final List<ClientOptions.AuthInfo> auth;

  // Shared with caller threads.
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicInteger corks = new AtomicInteger();
  private volatile SessionState state = SessionState.CONNECTING;
  private volatile boolean closing;
  private volatile long sessionId;
  private volatile int negotiatedTimeoutMs;
  final AtomicLong envelopesSent = new AtomicLong();
  final AtomicLong requestsSent = new AtomicLong();
  final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();

  // I/O thread only.
  private ByteString password = ByteString.EMPTY;
  private long lastZxid;
  private int maxRequestBytes = 1 << 20;
  private int maxOutstanding = 1000;
  private int nextXid = 1;
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  private Conn conn;
  private int serverIndex = -1;
  private int failedAttempts;
  private long lastSendNanos;
  private long lastRecvNanos;
  private ScheduledFuture<?> ticker;

  /** One connection attempt: a channel and its stream. Stale callbacks compare against conn. */
  private static final class Conn {
    final ManagedChannel channel;
    final String target;
    ClientCallStreamObserver<Session.SessionRequest> out;
    boolean connected;
    ScheduledFuture<?> attemptTimer;

    Conn(ManagedChannel channel, String target) {
      this.channel = channel;
      this.target = target;
    }
  }

  SessionConnection(List<String> servers, ClientOptions options) {
    this.servers = List.copyOf(servers);
    this.options = options;
    this.auth = new CopyOnWriteArrayList<>(options.auth);
    int id = IDS.incrementAndGet();
    io = new ScheduledThreadPoolExecutor(1, daemon("paddock-io-" + id));
    io.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    io.setRemoveOnCancelPolicy(true);
    events =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = daemon("paddock-event-" + id).newThread(r);
              eventThread = t;
              return t;
            });
    // After close the executor is shut: late gRPC callbacks are dropped, not logged as errors.
    ioSafe =
        r -> {
          try {
            io.execute(r);
          } catch (RejectedExecutionException e) {
            // closed
          }
        };
    if (options.stateListener != null) {
      listeners.add(options.stateListener);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** True on the event thread, where waiting for a future that it completes would deadlock. */
  boolean onEventThread() {
    return Thread.currentThread() == eventThread;
  }

  void start() {
    ioSafe.execute(this::connectNext);
  }

  SessionState state() {
    return state;
  }

  long sessionId() {
    return sessionId;
  }

  int negotiatedTimeoutMs() {
    return negotiatedTimeoutMs;
  }

  /** Credentials re-sent with every resume (I/O thread). */
  void addAuth(ClientOptions.AuthInfo info) {
    auth.add(info);
  }

  void addListener(SessionStateListener l) {
    listeners.add(l);
  }

  void removeListener(SessionStateListener l) {
    listeners.remove(l);
  }

  /** Runs a task on the I/O thread (watch bookkeeping that must not race with events). */
  void onIo(Runnable r) {
    try {
      io.execute(r);
    } catch (RejectedExecutionException e) {
      r.run(); // closed: the task sees a terminal state and fails its future
    }
  }

  /** Runs user code on the event thread, after everything delivered before it. */
  void onEvents(Runnable r) {
    try {
      events.execute(
          () -> {
            try {
              r.run();
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "callback threw", e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed: nobody is listening any more
    }
  }

  // ---- submission (any thread) ----

  CompletableFuture<Object> submit(Pending p) {
    PaddockException refusal = refusal();
    if (refusal != null) {
      fail(p, refusal);
      return p.future;
    }
    if (queued.incrementAndGet() > options.maxQueuedRequests) {
      queued.decrementAndGet();
      fail(
          p,
          new ThrottledException(
              "client request queue full: "
                  + options.maxQueuedRequests
                  + " requests waiting to be sent (maxQueuedRequests); the server is slow or"
                  + " unreachable"));
      return p.future;
    }
    queue.add(p);
    scheduleDrain();
    return p.future;
  }

  /** Why a new request cannot be accepted, or null. */
  private PaddockException refusal() {
    SessionState s = state;
    if (s == SessionState.EXPIRED) {
      return new SessionExpiredException("session 0x" + Long.toHexString(sessionId) + " expired");
    }
    if (s == SessionState.AUTH_FAILED) {
      return new AuthFailedException("authentication failed");
    }
    if (s == SessionState.CLOSED || closing) {
      return new SessionExpiredException("client is closed");
    }
    return null;
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      ioSafe.execute(this::drain);
    }
  }

  /** Holds requests back until the returned handle is closed, so they leave in one envelope. */
  Batch cork() {
    corks.incrementAndGet();
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true) && corks.decrementAndGet() == 0) {
        scheduleDrain();
      }
    };
  }

  // ---- the single writer (I/O thread) ----

  private void drain() {
    drainScheduled.set(false);
    PaddockException refusal = state.isAlive() ? null : refusal();
    if (refusal != null) {
      failQueued(refusal);
      return;
    }
    if (conn == null || !conn.connected || (corks.get() > 0 && !closing)) {
      return; // sent once connected (or uncorked); failed if the next attempt fails
    }
    Session.SessionRequest.Builder env = null;
    int envBytes = 0;
    while (inFlight.size() < maxOutstanding) {
      Pending p = queue.poll();
      if (p == null) {
        break;
      }
      queued.decrementAndGet();
      Session.ClientMessage m = message(p);
      int size = m.getSerializedSize() + ENVELOPE_OVERHEAD;
      if (env != null && envBytes + size > maxRequestBytes) {
        send(env);
        env = null;
        envBytes = 0;
      }
      if (env == null) {
        env = Session.SessionRequest.newBuilder();
      }
      env.addMessages(m);
      envBytes += size;
      inFlight.add(p);
    }
    if (env != null) {
      send(env);
    }
  }

  private Session.ClientMessage message(Pending p) {
    p.xid = nextXid;
    nextXid = nextXid == Integer.MAX_VALUE ? 1 : nextXid + 1;
    p.request.setXid(p.xid);
    if (options.requestTimeoutMs > 0 && !p.internal) {
      p.request.setTimeoutMs(options.requestTimeoutMs);
    }
    return Session.ClientMessage.newBuilder().setRequest(p.request).build();
  }

  private void send(Session.SessionRequest.Builder env) {
    envelopesSent.incrementAndGet();
    requestsSent.addAndGet(env.getMessagesCount());
    lastSendNanos = System.nanoTime();
    try {
      conn.out.onNext(env.build());
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "send failed", e);
      connectionLost(conn, "send failed: " + e);
    }
  }

  // ---- connecting ----

  private void connectNext() {
    if (!state.isAlive() || closing) {
      return;
    }
    serverIndex = (serverIndex + 1) % servers.size();
    String target = servers.get(serverIndex);
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(target)
            .usePlaintext()
            .executor(ioSafe)
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .build();
    Conn c = new Conn(channel, target);
    conn = c;
    c.out =
        (ClientCallStreamObserver<Session.SessionRequest>)
            SessionServiceGrpc.newStub(channel).session(observer(c));
    Session.ConnectRequest.Builder req =
        Session.ConnectRequest.newBuilder()
            .setSessionId(sessionId)
            .setPassword(password)
            .setTimeoutMs(options.sessionTimeoutMs)
            .setLastZxidSeen(lastZxid);
    for (ClientOptions.AuthInfo a : auth) {
      req.addAuth(
          Data.AddAuthRequest.newBuilder()
              .setScheme(a.scheme())
              .setAuth(ByteString.copyFrom(a.auth())));
    }
    if (sessionId != 0 && !watches.isEmpty()) {
      req.setWatches(watches.toSetWatches(lastZxid));
    }
    lastSendNanos = System.nanoTime();
    c.out.onNext(
        Session.SessionRequest.newBuilder()
            .addMessages(Session.ClientMessage.newBuilder().setConnect(req))
            .build());
    int attemptMs = Math.max(1000, options.sessionTimeoutMs / servers.size());
    c.attemptTimer =
        io.schedule(
            () -> {
              if (conn == c && !c.connected) {
                connectionLost(c, "no answer from " + target + " within " + attemptMs + " ms");
              }
            },
            attemptMs,
            TimeUnit.MILLISECONDS);
  }

  private ClientResponseObserver<Session.SessionRequest, Session.SessionResponse> observer(Conn c) {
    return new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<Session.SessionRequest> requestStream) {}

      @Override
      public void onNext(Session.SessionResponse value) {
        if (conn == c) {
          onMessages(c, value);
        }
      }

      @Override
      public void onError(Throwable t) {
        connectionLost(c, "stream to " + c.target + " failed: " + t.getMessage());
      }

      @Override
      public void onCompleted() {
        connectionLost(c, "server " + c.target + " ended the stream");
      }
    };
  }

  private void onMessages(Conn c, Session.SessionResponse env) {
    lastRecvNanos = System.nanoTime();
    for (Session.ServerMessage m : env.getMessagesList()) {
      if (conn != c) {
        return; // a message above ended this connection
      }
      switch (m.getKindCase()) {
        case CONNECTED -> onConnected(c, m.getConnected());
        case REPLY -> {
          if (c.connected) {
            onReply(c, m.getReply());
          } else {
            connectionLost(c, "reply before connect response");
          }
        }
        case EVENT -> onWatchEvent(m.getEvent());
        case SESSION_EVENT -> onSessionEvent(c, m.getSessionEvent());
        case KIND_NOT_SET -> LOG.fine("empty server message");
      }
    }
  }

  private void onConnected(Conn c, Session.ConnectResponse r) {
    if (c.attemptTimer != null) {
      c.attemptTimer.cancel(false);
    }
    if (sessionId != 0 && r.getSessionId() != sessionId) {
      // A new session in place of ours means ours is gone: its ephemerals and watches too.
      expire(c, "server opened session 0x" + Long.toHexString(r.getSessionId()) + " instead");
      return;
    }
    c.connected = true;
    sessionId = r.getSessionId();
    password = r.getPassword();
    negotiatedTimeoutMs = r.getTimeoutMs() > 0 ? r.getTimeoutMs() : options.sessionTimeoutMs;
    if (r.getMaxRequestBytes() > 0) {
      maxRequestBytes = r.getMaxRequestBytes();
    }
    if (r.getMaxOutstandingRequests() > 0) {
      maxOutstanding = r.getMaxOutstandingRequests();
    }
    if (r.getZxid() > lastZxid && lastZxid == 0) {
      lastZxid = r.getZxid();
    }
    failedAttempts = 0;
    lastRecvNanos = System.nanoTime();
    startTicker();
    setState(SessionState.CONNECTED);
    firstConnect.complete(null);
    drain();
  }

  private void onReply(Conn c, Session.Reply reply) {
    Pending p = inFlight.poll();
    if (p == null || p.xid != reply.getXid()) {
      if (p != null) {
        inFlight.addFirst(p);
      }
      connectionLost(c, "reply xid " + reply.getXid() + " out of order (FIFO broken)");
      return;
    }
    if (reply.getZxid() > lastZxid) {
      lastZxid = reply.getZxid();
    }
    Object value = null;
    PaddockException error = null;
    try {
      value = p.decoder.decode(reply);
    } catch (PaddockException e) {
      error = e;
    } catch (RuntimeException e) {
      error = new PaddockException(ErrorCode.MARSHALLING_ERROR, null, "bad reply: " + e);
    }
    if (p.hook != null) {
      p.hook.onReply(reply, error == null);
    }
    complete(p, value, error);
    if (p.request.getOpCase() == Session.Request.OpCase.CLOSE) {
      finishClose(SessionState.CLOSED);
      return;
    }
    if (!queue.isEmpty()) {
      drain();
    }
  }

  private void onWatchEvent(Session.WatchEvent e) {
    if (e.getZxid() > lastZxid) {
      lastZxid = e.getZxid();
    }
    EventType type = EventType.fromValue(e.getTypeValue());
    if (type.value() >= EventType.DATA_WATCH_REMOVED.value()) {
      return; // removal events are delivered by removeWatches to the exact watchers removed
    }
    Set<Watcher> targets = watches.materialize(type, e.getPath());
    if (targets.isEmpty()) {
      return;
    }
    WatchedEvent we = new WatchedEvent(type, SessionState.CONNECTED, e.getPath(), e.getZxid());
    onEvents(
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

  private void onSessionEvent(Conn c, Session.SessionEvent e) {
    String why = e.hasError() ? e.getError().getMessage() : "";
    switch (e.getState()) {
      case SESSION_STATE_EXPIRED -> expire(c, why.isEmpty() ? "session expired" : why);
      case SESSION_STATE_AUTH_FAILED -> {
        tearDown(c);
        terminal(SessionState.AUTH_FAILED, new AuthFailedException(why));
      }
      case SESSION_STATE_CLOSED -> finishClose(SessionState.CLOSED);
      default -> connectionLost(c, "server reported " + e.getState() + " " + why);
    }
  }

  private void expire(Conn c, String why) {
    tearDown(c);
    terminal(
        SessionState.EXPIRED,
        new SessionExpiredException(
            "session 0x" + Long.toHexString(sessionId) + " expired: " + why));
  }

  /** The stream broke: fail what was sent (it may or may not have happened), then reconnect. */
  private void connectionLost(Conn c, String why) {
    if (c != conn) {
      return;
    }
    boolean wasConnected = c.connected;
    tearDown(c);
    if (closing) {
      finishClose(SessionState.CLOSED);
      return;
    }
    if (!state.isAlive()) {
      return;
    }
    LOG.fine(() -> "connection lost: " + why);
    ConnectionLossException loss = new ConnectionLossException(why);
    failInFlight(loss);
    failQueued(loss);
    if (wasConnected) {
      setState(SessionState.DISCONNECTED);
    }
    long delay = 0;
    if (failedAttempts > 0) {
      long ceiling =
          Math.min(
              options.reconnectBackoffMaxMs,
              (long) options.reconnectBackoffMinMs << Math.min(failedAttempts - 1, 20));
      delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }
    if (!wasConnected) {
      failedAttempts++;
    }
    io.schedule(this::connectNext, delay, TimeUnit.MILLISECONDS);
  }

  private void tearDown(Conn c) {
    if (conn == c) {
      conn = null;
    }
    if (c == null) {
      return;
    }
    if (c.attemptTimer != null) {
      c.attemptTimer.cancel(false);
    }
    if (ticker != null) {
      ticker.cancel(false);
      ticker = null;
    }
    try {
      c.out.cancel("paddock client closing connection", null);
    } catch (RuntimeException e) {
      // already finished
    }
    c.channel.shutdownNow();
  }

  // ---- heartbeats ----

  private void startTicker() {
    if (ticker != null) {
      ticker.cancel(false);
    }
    long period = Math.max(10, negotiatedTimeoutMs / 10);
    ticker = io.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    Conn c = conn;
    if (c == null || !c.connected) {
      return;
    }
    long now = System.nanoTime();
    long readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(negotiatedTimeoutMs * 2L / 3);
    if (now - lastRecvNanos > readTimeoutNanos) {
      // As ZooKeeper: no word for 2/3 of the timeout means the server is gone; try the next.
      connectionLost(c, "no message from " + c.target + " for " + negotiatedTimeoutMs * 2 / 3 + " ms");
      return;
    }
    if (now - lastSendNanos >= TimeUnit.MILLISECONDS.toNanos(negotiatedTimeoutMs / 3)
        && inFlight.size() < maxOutstanding) {
      Pending ping =
          new Pending(
              Session.Request.newBuilder().setPing(Session.PingRequest.getDefaultInstance()),
              r -> null,
              null,
              true,
              true);
      Session.ClientMessage m = message(ping);
      inFlight.add(ping);
      send(Session.SessionRequest.newBuilder().addMessages(m));
    }
  }

  // ---- completion ----

  private void complete(Pending p, Object value, PaddockException error) {
    if (p.direct) {
      finish(p, value, error);
    } else {
      onEvents(() -> finish(p, value, error));
    }
  }

  private static void finish(Pending p, Object value, PaddockException error) {
    if (error != null) {
      p.future.completeExceptionally(error);
    } else {
      p.future.complete(value);
    }
  }

  private void fail(Pending p, PaddockException error) {
    complete(p, null, error);
  }

  private void failInFlight(PaddockException error) {
    Pending p;
    while ((p = inFlight.poll()) != null) {
      fail(p, error);
    }
  }

  private void failQueued(PaddockException error) {
    Pending p;
    while ((p = queue.poll()) != null) {
      queued.decrementAndGet();
      fail(p, error);
    }
  }

  private void setState(SessionState s) {
    state = s;
    WatchedEvent ev = new WatchedEvent(EventType.NONE, s, null, -1);
    Watcher dw = options.defaultWatcher;
    onEvents(
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

  /** A final state: every request fails with the reason, watches are dropped. */
  private void terminal(SessionState s, PaddockException reason) {
    if (!state.isAlive()) {
      return;
    }
    setState(s);
    failInFlight(reason);
    failQueued(reason);
    watches.clear();
    firstConnect.completeExceptionally(reason);
    if (closing) {
      finishClose(s);
    }
  }

  // ---- closing ----

  /** Closes the session on the server (its ephemerals go at once) and releases everything. */
  CompletableFuture<Void> close(long timeoutMs) {
    onIo(
        () -> {
          if (closing) {
            return;
          }
          closing = true;
          if (conn != null && conn.connected && state == SessionState.CONNECTED) {
            Pending p =
                new Pending(
                    Session.Request.newBuilder()
                        .setClose(Session.CloseSessionRequest.getDefaultInstance()),
                    r -> null,
                    null,
                    true,
                    true);
            queue.add(p);
            queued.incrementAndGet();
            drain();
            io.schedule(
                () -> finishClose(SessionState.CLOSED), timeoutMs, TimeUnit.MILLISECONDS);
          } else {
            finishClose(state.isAlive() ? SessionState.CLOSED : state);
          }
        });
    return closed;
  }

  private void finishClose(SessionState finalState) {
    if (closed.isDone()) {
      return;
    }
    closing = true;
    tearDown(conn);
    PaddockException reason = new SessionExpiredException("client is closed");
    if (state.isAlive()) {
      setState(finalState);
    }
    failInFlight(reason);
    failQueued(reason);
    watches.clear();
    firstConnect.completeExceptionally(reason);
    onEvents(() -> closed.complete(null));
    events.shutdown();
    io.shutdown();
  }
}
