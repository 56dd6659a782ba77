package dev.paddock.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect pacing: the first retry after a working connection is immediate; each attempt that
 * fails before connecting doubles the ceiling (min to max), and the wait is jittered within its
 * upper half so many clients do not return in step.
 */
final class Backoff {
  private final int minMs;
  private final int maxMs;
  private int failedAttempts;

  Backoff(int minMs, int maxMs) {
    this.minMs = minMs;
    this.maxMs = maxMs;
  }

  /** A session was established: the next loss retries at once. */
  void reset() {
    failedAttempts = 0;
  }

  /** The wait before the next attempt, after one that had connected or not. */
  long nextDelayMs(boolean wasConnected) {
    long delay = 0;
    if (failedAttempts > 0) {
      long ceiling = Math.min(maxMs, (long) minMs << Math.min(failedAttempts - 1, 20));
      delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }
    if (!wasConnected) {
      failedAttempts++;
    }
    return delay;
  }
}
