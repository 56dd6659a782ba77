package dev.paddock.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import paddock.v1.Data;
import paddock.v1.DataServiceGrpc;

/**
 * A node's data in pieces (DataService/GetDataChunks, a Paddock extension), for values near the
 * size limit: {@code try (DataChunks c = client.getDataChunks("/big", 65536)) { for (DataChunk
 * piece : c) ... }} or {@link #readAll()}. Every piece comes from one version of the node; the
 * server sends the next piece only as this reads on. The call is sessionless, on a connection of
 * its own to the session's current server, with the session's digest credentials: it is not
 * ordered after this session's writes still in flight. Iterable once; a failure throws {@link
 * UncheckedPaddockException} from the iterator. {@link #close()} cancels the call.
 */
public final class DataChunks implements Iterable<DataChunk>, AutoCloseable {
  /** The server refuses larger pieces (data.proto). */
  public static final int CHUNK_BYTES_MAX = 1_048_576;

  private static final Metadata.Key<String> AUTH =
      Metadata.Key.of("paddock-auth", Metadata.ASCII_STRING_MARSHALLER);

  private final String path;
  private final ManagedChannel channel;
  private final Context.CancellableContext context;
  private final Iterator<Data.DataChunk> wire;
  private long next;
  private boolean last;
  private boolean iterated;

  DataChunks(SessionConnection session, String path, int chunkBytes, boolean linearizable) {
    if (chunkBytes < 0 || chunkBytes > CHUNK_BYTES_MAX) {
      throw new IllegalArgumentException(
          "chunkBytes " + chunkBytes + " for " + path + " must be in 0.." + CHUNK_BYTES_MAX);
    }
    this.path = path;
    String target = session.servers.get(Math.max(session.serverIndex, 0) % session.servers.size());
    Metadata headers = new Metadata();
    for (ClientOptions.AuthInfo a : session.auth) {
      // paddock-auth carries text: digest credentials are "user:password".
      if (a.scheme().equals("digest")) {
        headers.put(AUTH, "digest " + new String(a.auth(), StandardCharsets.UTF_8));
      }
    }
    NettyChannelBuilder builder =
        session.options.channelCredentials == null
            ? NettyChannelBuilder.forTarget(target).usePlaintext()
            : NettyChannelBuilder.forTarget(target, session.options.channelCredentials);
    this.channel = builder.maxInboundMessageSize(CHUNK_BYTES_MAX + 65_536).build();
    Data.GetDataChunksRequest request =
        Data.GetDataChunksRequest.newBuilder()
            .setPath(path)
            .setChunkBytes(chunkBytes)
            .setConsistency(
                linearizable
                    ? Data.Consistency.CONSISTENCY_LINEARIZABLE
                    : Data.Consistency.CONSISTENCY_SEQUENTIAL)
            .build();
    // The call belongs to this context: cancelling it in close() ends the call.
    this.context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      this.wire =
          DataServiceGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .getDataChunks(request);
    } finally {
      context.detach(previous);
    }
  }

  @Override
  public Iterator<DataChunk> iterator() {
    if (iterated) {
      throw new IllegalStateException("the chunks of " + path + " can be iterated once");
    }
    iterated = true;
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return DataChunks.this.hasNext();
        } catch (PaddockException e) {
          throw new UncheckedPaddockException(e);
        }
      }

      @Override
      public DataChunk next() {
        try {
          return DataChunks.this.next();
        } catch (PaddockException e) {
          throw new UncheckedPaddockException(e);
        }
      }
    };
  }

  /** The remaining pieces joined: the data and stat of one version, as getData returns them. */
  public DataResult readAll() throws PaddockException {
    iterated = true;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Stat stat = null;
    while (hasNext()) {
      DataChunk c = next();
      if (c.stat() != null) {
        stat = c.stat();
      }
      out.write(c.data(), 0, c.data().length);
    }
    if (stat == null) {
      throw new PaddockException(ErrorCode.MARSHALLING_ERROR, path, "GetDataChunks sent no stat");
    }
    return new DataResult(out.toByteArray(), stat);
  }

  private boolean hasNext() throws PaddockException {
    if (last) {
      return false;
    }
    try {
      if (wire.hasNext()) {
        return true;
      }
    } catch (StatusRuntimeException e) {
      close();
      throw fromStatus(e);
    }
    close();
    throw new PaddockException.ConnectionLossException(
        "GetDataChunks for " + path + " ended before the last piece");
  }

  private DataChunk next() throws PaddockException {
    if (!hasNext()) {
      throw new NoSuchElementException("no more chunks of " + path);
    }
    Data.DataChunk c;
    try {
      c = wire.next();
    } catch (StatusRuntimeException e) {
      close();
      throw fromStatus(e);
    }
    // The pieces are contiguous, the first alone has the stat: anything else is a broken stream.
    if (c.getOffset() != next || (next == 0) != c.hasStat()) {
      close();
      String why = "GetDataChunks: unexpected piece at offset " + c.getOffset();
      throw new PaddockException(ErrorCode.MARSHALLING_ERROR, path, why);
    }
    next += c.getData().size();
    last = c.getLast();
    if (last) {
      close(); // nothing more to read: the channel need not wait for the caller's close()
    }
    return new DataChunk(
        c.getOffset(),
        c.getData().toByteArray(),
        c.getLast(),
        c.hasStat() ? Protos.stat(c.getStat()) : null,
        c.getDataNull());
  }

  /** The paddock.v1.Error in the status details, else what the transport's status means. */
  private PaddockException fromStatus(StatusRuntimeException e) {
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        if (any.is(Data.Error.class)) {
          try {
            return Protos.error(any.unpack(Data.Error.class));
          } catch (InvalidProtocolBufferException ignored) {
            // fall through to the status code
          }
        }
      }
    }
    String why = e.getStatus().getCode() + ": " + e.getStatus().getDescription();
    return switch (e.getStatus().getCode()) {
      case DEADLINE_EXCEEDED -> PaddockException.create(ErrorCode.OPERATION_TIMEOUT, path, why);
      case UNAVAILABLE, CANCELLED -> PaddockException.create(ErrorCode.CONNECTION_LOSS, path, why);
      default -> PaddockException.create(ErrorCode.SYSTEM_ERROR, path, why);
    };
  }

  /** Cancels the call if it is still running; the pieces already read stay valid. */
  @Override
  public void close() {
    context.cancel(null);
    channel.shutdownNow();
  }
}
