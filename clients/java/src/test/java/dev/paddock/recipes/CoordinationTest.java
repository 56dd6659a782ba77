package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockClient;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Read-write lock, semaphore, atomic counter, barrier and queue in Curator's layouts. */
class CoordinationTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readersShareWritersExclude() throws Exception {
    String path = uniquePath("rw");
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address());
        PaddockClient c = Clients.connect(SERVER.address())) {
      ReadWriteLock r1 = new ReadWriteLock(a, path);
      ReadWriteLock r2 = new ReadWriteLock(b, path);
      ReadWriteLock w = new ReadWriteLock(c, path);
      r1.readLock().acquire();
      assertTrue(r2.readLock().tryAcquire(10, TimeUnit.SECONDS), "readers share");
      assertTrue(r1.readLock().nodePath().contains("-__READ__"));
      assertFalse(w.writeLock().tryAcquire(300, TimeUnit.MILLISECONDS));
      CompletableFuture<Boolean> wrote =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return w.writeLock().tryAcquire(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      r1.readLock().release();
      r2.readLock().release();
      assertTrue(wrote.get(10, TimeUnit.SECONDS));
      assertFalse(r1.readLock().tryAcquire(300, TimeUnit.MILLISECONDS), "a writer holds");
      assertTrue(w.readLock().tryAcquire(10, TimeUnit.SECONDS), "downgrade");
    }
  }

  @Test
  void semaphoreGrantsAtMostMaxLeases() throws Exception {
    String path = uniquePath("sem");
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      Semaphore sa = new Semaphore(a, path, 2);
      Semaphore sb = new Semaphore(b, path, 2);
      Semaphore.Lease first = sa.acquire(10, TimeUnit.SECONDS);
      Semaphore.Lease second = sb.acquire(10, TimeUnit.SECONDS);
      assertTrue(first.path().contains("/leases/_c_") && second.czxid() > first.czxid());
      assertNull(sb.acquire(300, TimeUnit.MILLISECONDS));
      CompletableFuture<Semaphore.Lease> third =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return sb.acquire(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      first.release();
      assertNotNull(third.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void atomicLongCountsConcurrentAdds() throws Exception {
    String path = uniquePath("counters") + "/hits";
    List<PaddockClient> clients = new ArrayList<>();
    try {
      List<CompletableFuture<Void>> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        PaddockClient c = Clients.connect(SERVER.address());
        clients.add(c);
        AtomicLong counter = new AtomicLong(c, path);
        runs.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    for (int j = 0; j < 10; j++) {
                      counter.add(1);
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      PaddockClient c = clients.get(0);
      assertArrayEquals(
          ByteBuffer.allocate(8).putLong(40).array(), c.blocking().getData(path).data());
      AtomicLong counter = new AtomicLong(c, path);
      assertFalse(counter.compareAndSet(39, 0));
      assertTrue(counter.compareAndSet(40, 7));
      assertEquals(7, counter.get());
    } finally {
      for (PaddockClient c : clients) {
        c.close();
      }
    }
  }

  @Test
  void barrierReleasesWaiters() throws Exception {
    String path = uniquePath("barriers") + "/b";
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      new Barrier(a, path).set();
      assertFalse(new Barrier(b, path).waitOnBarrier(200, TimeUnit.MILLISECONDS));
      CompletableFuture<Boolean> waited =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new Barrier(b, path).waitOnBarrier(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      new Barrier(a, path).remove();
      assertTrue(waited.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void queueIsFifoWithPrioritiesAndCuratorFraming() throws Exception {
    String path = uniquePath("queue");
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      DistributedQueue producer = new DistributedQueue(a, path + "/q");
      for (int i = 0; i < 3; i++) {
        producer.put(utf8("item-" + i));
      }
      DistributedQueue consumer = new DistributedQueue(b, path + "/q");
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(utf8("item-" + i), consumer.take(10, TimeUnit.SECONDS));
      }
      assertNull(consumer.take(200, TimeUnit.MILLISECONDS));
      DistributedQueue pq = new DistributedQueue(a, path + "/pq");
      for (int p : new int[] {5, -1, 2}) {
        pq.put(utf8(Integer.toString(p)), p);
      }
      for (String want : List.of("-1", "2", "5")) {
        assertArrayEquals(utf8(want), pq.take(10, TimeUnit.SECONDS));
      }
    }
    assertEquals(
        "000100010100000002616202", HexFormat.of().formatHex(DistributedQueue.serialize(utf8("ab"))));
    assertEquals("0FFFFFFFF", DistributedQueue.priorityKey(-1));
    assertEquals("100000002", DistributedQueue.priorityKey(2));
  }

  @Test
  void nextIdIsUniqueIncreasingAndLeavesNothing() throws Exception {
    String path = uniquePath("ids");
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      long first = Naming.nextId(a, path);
      long second = Naming.nextId(b, path);
      assertTrue(second > first);
      assertEquals(List.of(), a.blocking().getChildren(path));
    }
  }
}
