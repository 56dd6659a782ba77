package dev.paddock.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.paddock.client.WatchedEvent;
import dev.paddock.client.Watcher;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records events; {@link #next()} waits for one with a deadline. */
public final class RecordingWatcher implements Watcher {
  public static final long DEADLINE_MS = 10_000;
  private final LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();

  @Override
  public void process(WatchedEvent event) {
    events.add(event);
  }

  public WatchedEvent next() throws InterruptedException {
    WatchedEvent e = events.poll(DEADLINE_MS, TimeUnit.MILLISECONDS);
    assertNotNull(e, "no event within " + DEADLINE_MS + " ms");
    return e;
  }

  /** Events already delivered and not yet taken. */
  public int pending() {
    return events.size();
  }
}
