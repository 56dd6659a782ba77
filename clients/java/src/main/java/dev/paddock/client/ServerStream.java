package dev.paddock.client;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiConsumer;
import paddock.v1.Session;
import paddock.v1.SessionServiceGrpc;

/**
 * One connection attempt: a channel to one server and its session stream. The session compares
 * callbacks against its current attempt, so those of a stale one are ignored.
 */
final class ServerStream {
  private static final int MAX_INBOUND_BYTES = 256 << 20;

  final ManagedChannel channel;
  final String target;
  ClientCallStreamObserver<Session.SessionRequest> out;
  boolean connected;
  ScheduledFuture<?> attemptTimer;

  /**
   * A channel to target whose callbacks run on executor (the I/O thread): plaintext when
   * credentials is null, else with them (TLS to a secureClientPort).
   */
  ServerStream(String target, Executor executor, ChannelCredentials credentials) {
    this.target = target;
    NettyChannelBuilder builder =
        credentials == null
            ? NettyChannelBuilder.forTarget(target).usePlaintext()
            : NettyChannelBuilder.forTarget(target, credentials);
    this.channel =
        builder
            .executor(executor)
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .build();
  }

  /** Opens the stream: envelopes go to onMessages, its end (with the reason) to onLost. */
  void open(
      BiConsumer<ServerStream, Session.SessionResponse> onMessages,
      BiConsumer<ServerStream, String> onLost) {
    ServerStream c = this;
    out =
        (ClientCallStreamObserver<Session.SessionRequest>)
            SessionServiceGrpc.newStub(channel)
                .session(
                    new ClientResponseObserver<Session.SessionRequest, Session.SessionResponse>() {
                      @Override
                      public void beforeStart(
                          ClientCallStreamObserver<Session.SessionRequest> requestStream) {}

                      @Override
                      public void onNext(Session.SessionResponse value) {
                        onMessages.accept(c, value);
                      }

                      @Override
                      public void onError(Throwable t) {
                        onLost.accept(c, "stream to " + target + " failed: " + t.getMessage());
                      }

                      @Override
                      public void onCompleted() {
                        onLost.accept(c, "server " + target + " ended the stream");
                      }
                    });
  }

  void cancelAttemptTimer() {
    if (attemptTimer != null) {
      attemptTimer.cancel(false);
    }
  }

  /** Cancels the stream and drops the channel at once. */
  void shutdown() {
    try {
      out.cancel("paddock client closing connection", null);
    } catch (RuntimeException e) {
      // already finished
    }
    channel.shutdownNow();
  }
}
