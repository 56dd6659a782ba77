package dev.paddock.client;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
  /** TLS (or other) channel credentials; null for plaintext. */
  final ChannelCredentials channelCredentials;

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
    channelCredentials = b.channelCredentials;
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
    private ChannelCredentials channelCredentials;

    private Builder() {}

    /**
     * TLS to a secureClientPort, trusting the CA certificates of the PEM file {@code caPem} (the
     * server's certificate must name the host dialed among its SANs). The file is read here.
     */
    public Builder tls(Path caPem) {
      return tls(caPem, null, null);
    }

    /**
     * Mutual TLS: as {@link #tls(Path)}, presenting the PEM client certificate chain and its
     * PKCS#8 PEM private key (needed when the server has ssl.clientAuth=need). A verified
     * certificate authenticates the session as {@code x509:<subject DN>}.
     */
    public Builder tls(Path caPem, Path clientCertPem, Path clientKeyPem) {
      if ((clientCertPem == null) != (clientKeyPem == null)) {
        throw new IllegalArgumentException("a client certificate needs both its cert and key files");
      }
      try {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        if (caPem != null) {
          tls.trustManager(caPem.toFile());
        }
        if (clientCertPem != null) {
          tls.keyManager(clientCertPem.toFile(), clientKeyPem.toFile());
        }
        channelCredentials = tls.build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the TLS files: " + e.getMessage(), e);
      }
      return this;
    }

    /**
     * Any gRPC channel credentials, e.g. {@code TlsChannelCredentials} built from a PKCS12 key
     * store's KeyManager and TrustManager; replaces what {@link #tls} set.
     */
    public Builder channelCredentials(ChannelCredentials credentials) {
      channelCredentials = credentials;
      return this;
    }

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
