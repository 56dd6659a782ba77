package dev.paddock.client;

import com.google.protobuf.ByteString;
import dev.paddock.client.PaddockException.AuthFailedException;
import dev.paddock.client.PaddockException.ConnectionLossException;
import dev.paddock.client.PaddockException.SessionExpiredException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import paddock.v1.Session;

/**
 * The session state machine over one bidi stream at a time. All its state belongs to one I/O
 * thread (gRPC delivers inbound messages on it too), so there are no locks: callers only append
 * to a bounded queue ({@link Outbox}). The I/O thread is the single writer: it drains the queue
 * into as few envelopes as the limits allow. User code (watchers, listeners, async completions)
 * runs on a second, event thread ({@link EventDispatcher}), in the order the server sent things,
 * so a watch event is seen before a reply that shows its data (ZooKeeper's ordering guarantee).
 */
final class SessionConnection {
  private static final Logger LOG = Logger.getLogger(SessionConnection.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();

  final List<String> servers; // read by WatchStream
  final ClientOptions options; // read by WatchStream
  private final ScheduledThreadPoolExecutor io;
  private final EventDispatcher events;
  private final Executor ioSafe;
  final WatchRegistry watches = new WatchRegistry();
  final List<ClientOptions.AuthInfo> auth; // read by WatchStream

  // Shared with caller threads.
  private final Outbox outbox;
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
  private int maxOutstanding = 1000;
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  private ServerStream conn;
  volatile int serverIndex = -1; // read by WatchStream: where the session is
  private final Backoff backoff;
  private final Heartbeat heartbeat = new Heartbeat();

  SessionConnection(List<String> servers, ClientOptions options) {
    this.servers = List.copyOf(servers);
    this.options = options;
    this.auth = new CopyOnWriteArrayList<>(options.auth);
    int id = IDS.incrementAndGet();
    io = new ScheduledThreadPoolExecutor(1, daemon("paddock-io-" + id));
    io.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    io.setRemoveOnCancelPolicy(true);
    events = new EventDispatcher(id, options.defaultWatcher, options.stateListener);
    // After close the executor is shut: late gRPC callbacks are dropped, not logged as errors.
    ioSafe =
        r -> {
          try {
            io.execute(r);
          } catch (RejectedExecutionException e) {
            // closed
          }
        };
    outbox =
        new Outbox(
            options.maxQueuedRequests, options.requestTimeoutMs, () -> ioSafe.execute(this::drain));
    backoff = new Backoff(options.reconnectBackoffMinMs, options.reconnectBackoffMaxMs);
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** True on the event thread, where waiting for a future that it completes would deadlock. */
  boolean onEventThread() {
    return events.onEventThread();
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
    events.addListener(l);
  }

  void removeListener(SessionStateListener l) {
    events.removeListener(l);
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
    events.run(r);
  }

  // ---- submission (any thread) ----

  CompletableFuture<Object> submit(Pending p) {
    PaddockException refusal = refusal();
    if (refusal != null) {
      fail(p, refusal);
      return p.future;
    }
    if (!outbox.offer(p)) {
      fail(p, outbox.full());
    }
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

  /** Holds requests back until the returned handle is closed, so they leave in one envelope. */
  Batch cork() {
    return outbox.cork();
  }

  // ---- the single writer (I/O thread) ----

  private void drain() {
    outbox.drainStarted();
    PaddockException refusal = state.isAlive() ? null : refusal();
    if (refusal != null) {
      failQueued(refusal);
      return;
    }
    if (conn == null || !conn.connected || (outbox.corked() && !closing)) {
      return; // sent once connected (or uncorked); failed if the next attempt fails
    }
    outbox.pack(inFlight, maxOutstanding, this::send);
  }

  private void send(Session.SessionRequest.Builder env) {
    envelopesSent.incrementAndGet();
    requestsSent.addAndGet(env.getMessagesCount());
    heartbeat.sent();
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
    ServerStream c = new ServerStream(target, ioSafe, options.channelCredentials);
    conn = c;
    c.open(
        (s, value) -> {
          if (conn == s) {
            onMessages(s, value);
          }
        },
        this::connectionLost);
    Session.ConnectRequest.Builder req =
        Handshake.connectRequest(
            sessionId, password, options.sessionTimeoutMs, lastZxid, auth, watches);
    heartbeat.sent();
    c.out.onNext(Handshake.envelope(req));
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

  private void onMessages(ServerStream c, Session.SessionResponse env) {
    heartbeat.heard();
    events.collect();
    try {
      for (Session.ServerMessage m : env.getMessagesList()) {
        if (conn != c) {
          return; // a message above ended this connection
        }
        onMessage(c, m);
      }
    } finally {
      events.handOver();
    }
    // Once per envelope, not per reply: what the replies' callbacks issued meanwhile leaves together
    // (requests held back by maxOutstanding go now that replies made room).
    if (conn == c && !outbox.isEmpty()) {
      drain();
    }
  }

  private void onMessage(ServerStream c, Session.ServerMessage m) {
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

  private void onConnected(ServerStream c, Session.ConnectResponse r) {
    c.cancelAttemptTimer();
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
      outbox.maxRequestBytes = r.getMaxRequestBytes();
    }
    if (r.getMaxOutstandingRequests() > 0) {
      maxOutstanding = r.getMaxOutstandingRequests();
    }
    if (r.getZxid() > lastZxid && lastZxid == 0) {
      lastZxid = r.getZxid();
    }
    backoff.reset();
    heartbeat.heard();
    heartbeat.start(io, negotiatedTimeoutMs, this::tick);
    setState(SessionState.CONNECTED);
    firstConnect.complete(null);
    drain();
  }

  private void onReply(ServerStream c, Session.Reply reply) {
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
    p.settle(reply, events);
    if (p.request.getOpCase() == Session.Request.OpCase.CLOSE) {
      finishClose(SessionState.CLOSED);
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
    events.deliver(
        targets, new WatchedEvent(type, SessionState.CONNECTED, e.getPath(), e.getZxid()));
  }

  private void onSessionEvent(ServerStream c, Session.SessionEvent e) {
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

  private void expire(ServerStream c, String why) {
    tearDown(c);
    terminal(
        SessionState.EXPIRED,
        new SessionExpiredException(
            "session 0x" + Long.toHexString(sessionId) + " expired: " + why));
  }

  /** The stream broke: fail what was sent (it may or may not have happened), then reconnect. */
  private void connectionLost(ServerStream c, String why) {
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
    long delay = backoff.nextDelayMs(wasConnected);
    io.schedule(this::connectNext, delay, TimeUnit.MILLISECONDS);
  }

  private void tearDown(ServerStream c) {
    if (conn == c) {
      conn = null;
    }
    if (c == null) {
      return;
    }
    c.cancelAttemptTimer();
    heartbeat.stop();
    c.shutdown();
  }

  // ---- heartbeats ----

  private void tick() {
    ServerStream c = conn;
    if (c == null || !c.connected) {
      return;
    }
    long now = System.nanoTime();
    if (heartbeat.serverSilent(now, negotiatedTimeoutMs)) {
      // As ZooKeeper: no word for 2/3 of the timeout means the server is gone; try the next.
      connectionLost(c, "no message from " + c.target + " for " + negotiatedTimeoutMs * 2 / 3 + " ms");
      return;
    }
    if (heartbeat.pingDue(now, negotiatedTimeoutMs) && inFlight.size() < maxOutstanding) {
      Pending ping =
          Pending.internal(
              Session.Request.newBuilder().setPing(Session.PingRequest.getDefaultInstance()));
      Session.ClientMessage m = outbox.stamp(ping);
      inFlight.add(ping);
      send(Session.SessionRequest.newBuilder().addMessages(m));
    }
  }

  // ---- completion ----

  private void fail(Pending p, PaddockException error) {
    events.complete(p, null, error);
  }

  private void failInFlight(PaddockException error) {
    Pending p;
    while ((p = inFlight.poll()) != null) {
      fail(p, error);
    }
  }

  private void failQueued(PaddockException error) {
    Pending p;
    while ((p = outbox.poll()) != null) {
      fail(p, error);
    }
  }

  private void setState(SessionState s) {
    state = s;
    events.stateChanged(s);
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
                Pending.internal(
                    Session.Request.newBuilder()
                        .setClose(Session.CloseSessionRequest.getDefaultInstance()));
            outbox.addInternal(p);
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
    events.run(() -> closed.complete(null));
    events.shutdown();
    io.shutdown();
  }
}
