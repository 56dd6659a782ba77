package dev.paddock.client;

/**
 * Receives watch notifications. Callbacks run on the client's single event thread, in the order
 * the server sent them and before the completion of any later reply: keep them short, and use
 * {@link PaddockClient#blocking()} (never {@code join()} on an async future) from inside one.
 */
@FunctionalInterface
public interface Watcher {
  void process(WatchedEvent event);
}
