package dev.paddock.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Settings of a {@link PaddockClient}; limits are checked here, where they are set. */
public final class ClientOptions {
  /** Credentials sent with every connect (the same as calling addAuth after connecting). */
  public record AuthInfo(String scheme, byte[] auth) {}

  final int sessionTimeoutMs;
  final int connectTimeoutMs;
  final int requestTimeoutMs;
  final int maxQueuedRequests;
  final int reconnectBackoffMinMs;
  final int reconnectBackoffMaxMs;
  final Watcher defaultWatcher;
  final SessionStateListener stateListener;
  final List<AuthInfo> auth;

  private ClientOptions(Builder b) {
    sessionTimeoutMs = b.sessionTimeoutMs;
    connectTimeoutMs = b.connectTimeoutMs;
    requestTimeoutMs = b.requestTimeoutMs;
    maxQueuedRequests = b.maxQueuedRequests;
    reconnectBackoffMinMs = b.reconnectBackoffMinMs;
    reconnectBackoffMaxMs = b.reconnectBackoffMaxMs;
    defaultWatcher = b.defaultWatcher;
    stateListener = b.stateListener;
    auth = List.copyOf(b.auth);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static ClientOptions defaults() {
    return builder().build();
  }

  public int sessionTimeoutMs() {
    return sessionTimeoutMs;
  }

  public int connectTimeoutMs() {
    return connectTimeoutMs;
  }

  public int requestTimeoutMs() {
    return requestTimeoutMs;
  }

  public int maxQueuedRequests() {
    return maxQueuedRequests;
  }

  public static final class Builder {
    private int sessionTimeoutMs = 30_000;
    private int connectTimeoutMs = 15_000;
    private int requestTimeoutMs = 0;
    private int maxQueuedRequests = 10_000;
    private int reconnectBackoffMinMs = 50;
    private int reconnectBackoffMaxMs = 2_000;
    private Watcher defaultWatcher;
    private SessionStateListener stateListener;
    private final List<AuthInfo> auth = new ArrayList<>();

    private Builder() {}

    /** Requested session timeout; the server clamps it to its min/max. */
    public Builder sessionTimeoutMs(int ms) {
      sessionTimeoutMs = requireRange("sessionTimeoutMs", ms, 1, 24 * 3600_000);
      return this;
    }

    /** How long {@link PaddockClient#connect} waits for the first session. */
    public Builder connectTimeoutMs(int ms) {
      connectTimeoutMs = requireRange("connectTimeoutMs", ms, 1, Integer.MAX_VALUE);
      return this;
    }

    /** Server-side deadline sent with every request (REQUEST_TIMEOUT past it); 0 for none. */
    public Builder requestTimeoutMs(int ms) {
      requestTimeoutMs = requireRange("requestTimeoutMs", ms, 0, Integer.MAX_VALUE);
      return this;
    }

    /** Requests waiting to be sent; beyond it calls fail at once with ThrottledException. */
    public Builder maxQueuedRequests(int n) {
      maxQueuedRequests = requireRange("maxQueuedRequests", n, 1, 1_000_000);
      return this;
    }

    /** Reconnect delay bounds: doubling from min to max, with jitter. */
    public Builder reconnectBackoffMs(int minMs, int maxMs) {
      reconnectBackoffMinMs = requireRange("reconnectBackoffMinMs", minMs, 0, 60_000);
      reconnectBackoffMaxMs = requireRange("reconnectBackoffMaxMs", maxMs, minMs, 600_000);
      return this;
    }

    /** Receives the events of watches set with {@code watch = true}, and state changes. */
    public Builder defaultWatcher(Watcher watcher) {
      defaultWatcher = watcher;
      return this;
    }

    public Builder stateListener(SessionStateListener listener) {
      stateListener = listener;
      return this;
    }

    public Builder auth(String scheme, byte[] credentials) {
      auth.add(new AuthInfo(scheme, credentials.clone()));
      return this;
    }

    /** Shorthand for {@code auth("digest", "user:password")}. */
    public Builder digestAuth(String userColonPassword) {
      return auth("digest", userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    public ClientOptions build() {
      return new ClientOptions(this);
    }

    private static int requireRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], got " + value);
      }
      return value;
    }
  }
}
