package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.DataResult;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.BadVersionException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;

/**
 * Curator's DistributedAtomicLong format: the node's data is the value as 8 bytes big-endian (no
 * node reads as 0), changed by compare-and-set on the node's version.
 */
public final class AtomicLong {
  private static final int ATTEMPTS = 10_000;
  private final PaddockClient client;
  private final String path;

  public AtomicLong(PaddockClient client, String path) {
    this.client = client;
    this.path = path;
  }

  /** The values before and after an update; {@code written} false when nothing was written. */
  public record Result(long preValue, long postValue, boolean written) {}

  public long get() throws PaddockException, InterruptedException {
    return read(client.blocking()).value;
  }

  public Result add(long delta) throws PaddockException, InterruptedException {
    return update(v -> v + delta, v -> true);
  }

  public boolean compareAndSet(long expected, long next)
      throws PaddockException, InterruptedException {
    return update(v -> next, v -> v == expected).written();
  }

  private record Current(long value, int version, boolean exists) {}

  private Current read(BlockingClient b) throws PaddockException, InterruptedException {
    DataResult d;
    try {
      d = b.getData(path);
    } catch (NoNodeException e) {
      return new Current(0, 0, false);
    }
    if (d.data().length == 0) {
      return new Current(0, d.stat().version(), true);
    }
    if (d.data().length != 8) {
      throw new IllegalStateException(
          "counter " + path + " holds " + d.data().length + " bytes, not 8");
    }
    return new Current(ByteBuffer.wrap(d.data()).getLong(), d.stat().version(), true);
  }

  /** Applies {@code f} in a compare-and-set loop when {@code when} accepts the current value. */
  public Result update(LongUnaryOperator f, java.util.function.LongPredicate when)
      throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Current current = read(b);
      if (!when.test(current.value)) {
        return new Result(current.value, current.value, false);
      }
      long next = f.applyAsLong(current.value);
      byte[] data = ByteBuffer.allocate(8).putLong(next).array();
      try {
        if (current.exists) {
          b.setData(path, data, current.version);
        } else {
          int slash = path.lastIndexOf('/');
          if (slash > 0) {
            Paths.ensure(b, path.substring(0, slash));
          }
          b.create(path, data);
        }
        return new Result(current.value, next, true);
      } catch (BadVersionException | NodeExistsException e) {
        // someone else won this round: read again
      }
    }
    throw new IllegalStateException(
        "counter " + path + ": no update won in " + ATTEMPTS + " attempts");
  }
}
