package dev.paddock.client;

/** The client's view of its session. EXPIRED, CLOSED and AUTH_FAILED are final. */
public enum SessionState {
  CONNECTING,
  CONNECTED,
  DISCONNECTED,
  EXPIRED,
  CLOSED,
  AUTH_FAILED;

  public boolean isAlive() {
    return this == CONNECTING || this == CONNECTED || this == DISCONNECTED;
  }
}
