package dev.paddock.recipes;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockClient;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DistributedLockTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  @Test
  void exactlyOneHolderAtATimeAcrossClients() throws Exception {
    String lockPath = uniquePath("locks") + "/x";
    String counter = uniquePath("counter");
    int clients = 4;
    int rounds = 5;
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger maxHolders = new AtomicInteger();
    List<PaddockClient> cs = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      cs.add(Clients.connect(SERVER.address()));
    }
    cs.get(0).blocking().create(counter, bytes("0"));
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (PaddockClient c : cs) {
        fs.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    DistributedLock lock = new DistributedLock(c, lockPath);
                    lock.acquire();
                    int now = holders.incrementAndGet();
                    maxHolders.accumulateAndGet(now, Math::max);
                    // read-modify-write without versions: only correct under the lock
                    int v = Integer.parseInt(c.blocking().getData(counter).dataAsString());
                    c.blocking().setData(counter, bytes(Integer.toString(v + 1)), -1);
                    holders.decrementAndGet();
                    lock.release();
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertEquals(1, maxHolders.get());
      assertEquals(
          Integer.toString(clients * rounds),
          cs.get(0).blocking().getData(counter).dataAsString());
      assertEquals(List.of(), cs.get(0).blocking().getChildren(lockPath), "no nodes left behind");
    } finally {
      pool.shutdownNow();
      for (PaddockClient c : cs) {
        c.close();
      }
    }
  }

  @Test
  void nodesUseTheSharedNamingAndTryAcquireTimesOut() throws Exception {
    String lockPath = uniquePath("locks") + "/y";
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      DistributedLock first = new DistributedLock(a, lockPath);
      first.acquire();
      String protectedName = "/_c_[0-9a-f-]{36}-lock-\\d{10}";
      assertTrue(first.nodePath().matches(java.util.regex.Pattern.quote(lockPath) + protectedName));
      DistributedLock second = new DistributedLock(b, lockPath);
      assertFalse(second.tryAcquire(300, TimeUnit.MILLISECONDS));
      assertEquals(1, a.blocking().getChildren(lockPath).size(), "the loser cleaned up");
      first.release();
      assertTrue(second.tryAcquire(10, TimeUnit.SECONDS));
      second.release();
    }
  }

  @Test
  void reacquiringByTheSameInstanceCountsAndTheLastReleaseFrees() throws Exception {
    String lockPath = uniquePath("locks") + "/r";
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      DistributedLock lock = new DistributedLock(a, lockPath);
      lock.acquire();
      String node = lock.nodePath();
      long token = lock.fencingToken();
      assertTrue(lock.tryAcquire(0, TimeUnit.MILLISECONDS), "the holder re-enters at once");
      assertEquals(2, lock.holdCount());
      assertEquals(node, lock.nodePath());
      assertEquals(token, lock.fencingToken());
      assertEquals(1, a.blocking().getChildren(lockPath).size(), "re-entry creates no node");
      lock.release();
      assertTrue(lock.isHeld(), "held until the last release");
      DistributedLock other = new DistributedLock(b, lockPath);
      assertFalse(other.tryAcquire(200, TimeUnit.MILLISECONDS));
      lock.release();
      assertEquals(0, lock.holdCount());
      assertTrue(other.tryAcquire(10, TimeUnit.SECONDS));
      other.release();
      assertThrows(IllegalStateException.class, lock::release);
    }
  }

  @Test
  void aHolderThatClosesItsSessionHandsTheLockOn() throws Exception {
    String lockPath = uniquePath("locks") + "/z";
    PaddockClient a = Clients.connect(SERVER.address());
    try (PaddockClient b = Clients.connect(SERVER.address())) {
      new DistributedLock(a, lockPath).acquire();
      DistributedLock waiting = new DistributedLock(b, lockPath);
      a.close(); // the ephemeral goes with the session
      assertTrue(waiting.tryAcquire(10, TimeUnit.SECONDS));
      waiting.release();
    }
  }

  @Test
  void lockDemoProcessesNeverOverlap() throws Exception {
    // The demo the cross-language test runs: two JVMs on one lock, their intervals must not overlap.
    String lockPath = uniquePath("locks") + "/demo";
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String cp = System.getProperty("java.class.path");
    List<Process> ps = new ArrayList<>();
    for (String id : List.of("one", "two")) {
      ps.add(
          new ProcessBuilder(
                  java, "-cp", cp, "dev.paddock.demo.LockDemo",
                  "--server", SERVER.address(), "--path", lockPath, "--hold-ms", "200", "--id", id)
              .redirectErrorStream(true)
              .start());
    }
    List<long[]> intervals = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    // Read both outputs concurrently, stamping each line as it arrives.
    List<Thread> readers = new ArrayList<>();
    for (Process p : ps) {
      long[] interval = new long[2];
      intervals.add(interval);
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                      lines.add(line);
                    }
                    if (line.startsWith("ACQUIRED ")) {
                      interval[0] = System.nanoTime();
                    } else if (line.startsWith("RELEASED ")) {
                      interval[1] = System.nanoTime();
                    }
                  }
                } catch (java.io.IOException e) {
                  // process ended
                }
              });
      t.start();
      readers.add(t);
    }
    for (Process p : ps) {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "demo finished");
      assertEquals(0, p.exitValue(), String.join("\n", lines));
    }
    for (Thread t : readers) {
      t.join(10_000);
    }
    assertTrue(lines.containsAll(List.of("ACQUIRED one", "RELEASED one", "ACQUIRED two", "RELEASED two")), String.join("\n", lines));
    long[] x = intervals.get(0);
    long[] y = intervals.get(1);
    assertTrue(x[1] <= y[0] || y[1] <= x[0], "hold intervals overlap");
  }
}
