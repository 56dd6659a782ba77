package dev.paddock.client;

/** Told of every session state change, on the event thread, in order. */
@FunctionalInterface
public interface SessionStateListener {
  void stateChanged(SessionState state);
}
