package dev.paddock.client;

import dev.paddock.client.PaddockException.ThrottledException;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import paddock.v1.Session;

/**
 * Requests waiting to be sent and how they are packed into envelopes. Any thread may add; only
 * the I/O thread takes, numbers (xid) and packs them, so those parts need no locks.
 */
final class Outbox {
  /** Per-message overhead in an envelope (tag and length), for the size budget. */
  private static final int ENVELOPE_OVERHEAD = 6;

  private final int maxQueued;
  private final int requestTimeoutMs;
  /** Schedules a drain on the I/O thread. */
  private final Runnable wake;

  // Shared with caller threads.
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicInteger corks = new AtomicInteger();

  // I/O thread only.
  private int nextXid = 1;
  int maxRequestBytes = 1 << 20;

  Outbox(int maxQueued, int requestTimeoutMs, Runnable wake) {
    this.maxQueued = maxQueued;
    this.requestTimeoutMs = requestTimeoutMs;
    this.wake = wake;
  }

  /** Queues a request and schedules a drain; false (nothing queued) if the queue is full. */
  boolean offer(Pending p) {
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      return false;
    }
    queue.add(p);
    scheduleDrain();
    return true;
  }

  /** Why {@link #offer} refused. */
  ThrottledException full() {
    return new ThrottledException(
        "client request queue full: "
            + maxQueued
            + " requests waiting to be sent (maxQueuedRequests); the server is slow or"
            + " unreachable");
  }

  /** Queues an internal request (close) past the limit, without scheduling a drain. */
  void addInternal(Pending p) {
    queue.add(p);
    queued.incrementAndGet();
  }

  void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      wake.run();
    }
  }

  /** A drain has started: later additions schedule another. */
  void drainStarted() {
    drainScheduled.set(false);
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

  boolean corked() {
    return corks.get() > 0;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** The next waiting request, or null (I/O thread). */
  Pending poll() {
    Pending p = queue.poll();
    if (p != null) {
      queued.decrementAndGet();
    }
    return p;
  }

  /** Numbers the request and wraps it for an envelope (I/O thread). */
  Session.ClientMessage stamp(Pending p) {
    p.xid = nextXid;
    nextXid = nextXid == Integer.MAX_VALUE ? 1 : nextXid + 1;
    p.request.setXid(p.xid);
    if (requestTimeoutMs > 0 && !p.internal) {
      p.request.setTimeoutMs(requestTimeoutMs);
    }
    return Session.ClientMessage.newBuilder().setRequest(p.request).build();
  }

  /**
   * Moves waiting requests into inFlight while fewer than maxOutstanding are there, packed into as
   * few envelopes under maxRequestBytes as possible, each handed to send.
   */
  void pack(
      ArrayDeque<Pending> inFlight,
      int maxOutstanding,
      Consumer<Session.SessionRequest.Builder> send) {
    Session.SessionRequest.Builder env = null;
    int envBytes = 0;
    while (inFlight.size() < maxOutstanding) {
      Pending p = poll();
      if (p == null) {
        break;
      }
      Session.ClientMessage m = stamp(p);
      int size = m.getSerializedSize() + ENVELOPE_OVERHEAD;
      if (env != null && envBytes + size > maxRequestBytes) {
        send.accept(env);
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
      send.accept(env);
    }
  }
}
