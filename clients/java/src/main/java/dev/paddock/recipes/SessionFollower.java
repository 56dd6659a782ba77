package dev.paddock.recipes;

import dev.paddock.client.PaddockClient;
import dev.paddock.client.SessionState;
import dev.paddock.client.SessionStateListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Turns the client's session states into {@link ConnectionEvent}s between {@link #start()} and
 * {@link #stop()}, while a recipe holds something. Listeners run on the client's event thread:
 * they must not block.
 */
final class SessionFollower implements SessionStateListener {
  private final PaddockClient client;
  private final List<Consumer<ConnectionEvent>> listeners = new CopyOnWriteArrayList<>();
  private boolean active;
  private boolean suspended;
  private boolean lost;

  SessionFollower(PaddockClient client) {
    this.client = client;
  }

  void addListener(Consumer<ConnectionEvent> listener) {
    listeners.add(listener);
  }

  void start() {
    synchronized (this) {
      active = true;
      suspended = false;
      lost = false;
    }
    client.addStateListener(this);
    // A drop between the acquisition and now is told at once.
    stateChanged(client.state());
  }

  void stop() {
    synchronized (this) {
      active = false;
    }
    client.removeStateListener(this);
  }

  /** The session ended while holding: the node went with it. */
  synchronized boolean lost() {
    return lost;
  }

  @Override
  public void stateChanged(SessionState state) {
    ConnectionEvent event;
    synchronized (this) {
      if (!active) {
        return;
      }
      if (!state.isAlive()) {
        active = false;
        lost = true;
        event = ConnectionEvent.LOST;
      } else if (state == SessionState.DISCONNECTED && !suspended) {
        suspended = true;
        event = ConnectionEvent.SUSPENDED;
      } else if (state == SessionState.CONNECTED && suspended) {
        suspended = false;
        event = ConnectionEvent.RECONNECTED;
      } else {
        return;
      }
    }
    if (event == ConnectionEvent.LOST) {
      client.removeStateListener(this);
    }
    for (Consumer<ConnectionEvent> l : listeners) {
      l.accept(event);
    }
  }
}
