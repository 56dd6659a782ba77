package dev.paddock.client;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Liveness timing for the current connection (I/O thread only): when we last sent and heard, and
 * the periodic check. As ZooKeeper: ping after 1/3 of the timeout idle, give up on the server
 * after 2/3 of it without a word.
 */
final class Heartbeat {
  private long lastSendNanos;
  private long lastRecvNanos;
  private ScheduledFuture<?> ticker;

  void sent() {
    lastSendNanos = System.nanoTime();
  }

  void heard() {
    lastRecvNanos = System.nanoTime();
  }

  /** (Re)starts the check every tenth of the timeout (at least 10 ms). */
  void start(ScheduledExecutorService io, int timeoutMs, Runnable tick) {
    if (ticker != null) {
      ticker.cancel(false);
    }
    long period = Math.max(10, timeoutMs / 10);
    ticker = io.scheduleWithFixedDelay(tick, period, period, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (ticker != null) {
      ticker.cancel(false);
      ticker = null;
    }
  }

  /** Nothing heard for 2/3 of the timeout: the server is gone. */
  boolean serverSilent(long now, int timeoutMs) {
    return now - lastRecvNanos > TimeUnit.MILLISECONDS.toNanos(timeoutMs * 2L / 3);
  }

  /** Nothing sent for 1/3 of the timeout: a ping is due. */
  boolean pingDue(long now, int timeoutMs) {
    return now - lastSendNanos >= TimeUnit.MILLISECONDS.toNanos(timeoutMs / 3);
  }
}
