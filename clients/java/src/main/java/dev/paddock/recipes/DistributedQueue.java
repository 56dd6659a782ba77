package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.DataResult;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Curator's DistributedQueue layout: items are {@code <path>/queue-<seq>} (with a priority: {@code
 * queue-<priorityKey><seq>}, lower first), persistent sequential, their data in Curator's
 * ItemSerializer framing. A consumer takes the first item by deleting it; losing that race moves
 * it on to the next item.
 */
public final class DistributedQueue {
  private static final int VERSION = 0x00010001;
  private static final int ITEM = 0x01;
  private static final int EOF = 0x02;

  private final PaddockClient client;
  private final String path;

  public DistributedQueue(PaddockClient client, String path) {
    this.client = client;
    this.path = path;
  }

  /** Curator's ItemSerializer framing: version, per item opcode 1 + length + bytes, then 2. */
  public static byte[] serialize(byte[]... items) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(4).putInt(VERSION).array());
    for (byte[] item : items) {
      out.write(ITEM);
      out.writeBytes(ByteBuffer.allocate(4).putInt(item.length).array());
      out.writeBytes(item);
    }
    out.write(EOF);
    return out.toByteArray();
  }

  public static List<byte[]> deserialize(byte[] data, String path) {
    ByteBuffer buf = ByteBuffer.wrap(data);
    if (data.length < 5 || buf.getInt() != VERSION) {
      throw new IllegalArgumentException("queue item " + path + ": not in Curator's item framing");
    }
    List<byte[]> items = new ArrayList<>();
    while (true) {
      if (!buf.hasRemaining()) {
        throw new IllegalArgumentException("queue item " + path + ": truncated");
      }
      int op = buf.get();
      if (op == EOF) {
        return items;
      }
      if (op != ITEM || buf.remaining() < 4) {
        throw new IllegalArgumentException("queue item " + path + ": bad opcode or truncated");
      }
      int length = buf.getInt();
      if (length < 0 || length > buf.remaining()) {
        throw new IllegalArgumentException(
            "queue item " + path + ": item length " + length + " past the end");
      }
      byte[] item = new byte[length];
      buf.get(item);
      items.add(item);
    }
  }

  /** Curator's priorityToString: a sign digit, then the 32-bit value in 8 hex digits. */
  public static String priorityKey(int priority) {
    return (priority >= 0 ? "1" : "0") + String.format(Locale.ROOT, "%08X", priority);
  }

  public String put(byte[] item) throws PaddockException, InterruptedException {
    return put("queue-", item);
  }

  /** Taken before every item of a higher priority (FIFO within one priority). */
  public String put(byte[] item, int priority) throws PaddockException, InterruptedException {
    return put("queue-" + priorityKey(priority), item);
  }

  private String put(String name, byte[] item) throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    byte[] data = serialize(item);
    try {
      return b.create(Paths.join(path, name), data, Paths.OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
    } catch (NoNodeException e) {
      Paths.ensure(b, path);
      return b.create(Paths.join(path, name), data, Paths.OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
    }
  }

  /** Removes and returns the first item, or null when the timeout passes first. */
  public byte[] take(long timeout, TimeUnit unit) throws PaddockException, InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    BlockingClient b = client.blocking();
    Paths.ensure(b, path);
    while (true) {
      CountDownLatch changed = new CountDownLatch(1);
      List<String> names =
          b.getChildren(path, e -> changed.countDown()).stream()
              .filter(n -> n.startsWith("queue-"))
              .sorted()
              .toList();
      for (String name : names) {
        String node = Paths.join(path, name);
        try {
          DataResult d = b.getData(node);
          b.delete(node, d.stat().version());
          List<byte[]> items = deserialize(d.data(), node);
          if (!items.isEmpty()) {
            return items.get(0);
          }
        } catch (NoNodeException e) {
          // another consumer took it
        }
      }
      long wait = deadline - System.nanoTime();
      if (wait <= 0 || !changed.await(wait, TimeUnit.NANOSECONDS)) {
        return null;
      }
    }
  }
}
