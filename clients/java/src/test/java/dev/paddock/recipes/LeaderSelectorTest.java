package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.recipes.LeaderSelector.Leadership;
import dev.paddock.recipes.LeaderSelector.Participant;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import dev.paddock.testing.TcpProxy;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** LeaderSelector against a real server: handoff, turns with autoRequeue, a leader cut off. */
class LeaderSelectorTest {
  @RegisterExtension
  static final PaddockServerExtension SERVER =
      new PaddockServerExtension("tickTime=200", "minSessionTimeout=400");

  private static final long WAIT_S = 30;

  /** A callback the test ends by hand; {@code started} yields each term. */
  private static final class Held implements LeaderSelector.Listener {
    final BlockingQueue<Leadership> started = new LinkedBlockingQueue<>();
    final BlockingQueue<Boolean> release = new LinkedBlockingQueue<>();

    @Override
    public void takeLeadership(Leadership leadership) throws InterruptedException {
      started.add(leadership);
      release.take();
    }

    Leadership next() throws InterruptedException {
      Leadership l = started.poll(WAIT_S, TimeUnit.SECONDS);
      assertNotNull(l, "no leadership within the deadline");
      return l;
    }
  }

  private static void poll(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  private static int children(PaddockClient c, String path) {
    try {
      return c.blocking().getChildren(path).size();
    } catch (Exception e) {
      return 0;
    }
  }

  @Test
  void handsOverWhenTheCallbackReturns() throws Exception {
    String path = uniquePath("selector");
    Held ha = new Held();
    Held hb = new Held();
    try (PaddockClient ca = Clients.connect(SERVER.address());
        PaddockClient cb = Clients.connect(SERVER.address());
        LeaderSelector a = new LeaderSelector(ca, path, "a", ha);
        LeaderSelector b = new LeaderSelector(cb, path, "b", hb)) {
      a.start();
      Leadership termA = ha.next();
      b.start();
      poll("b queued", () -> children(cb, path) == 2);
      assertEquals(
          List.of(new Participant("a", true), new Participant("b", false)), b.participants());
      assertTrue(a.hasLeadership());
      assertFalse(b.hasLeadership());
      for (String name : cb.blocking().getChildren(path)) {
        assertTrue(name.startsWith("_c_") && name.contains("-lock-"), name);
      }
      ha.release.add(true);
      Leadership termB = hb.next();
      assertTrue(termB.fencingToken() > termA.fencingToken());
      assertTrue(b.hasLeadership());
      // Without autoRequeue, a participant whose callback returned has left the queue.
      assertEquals(List.of(new Participant("b", true)), b.participants());
      hb.release.add(true);
      a.close();
      b.close();
      assertEquals(0, children(cb, path));
      assertEquals(List.of(), a.failures());
      assertEquals(List.of(), b.failures());
    }
  }

  @Test
  void autoRequeueTakesTurnsAndRequeueQueuesOnce() throws Exception {
    String path = uniquePath("selector-turns");
    try (PaddockClient ca = Clients.connect(SERVER.address());
        PaddockClient cb = Clients.connect(SERVER.address());
        PaddockClient observer = Clients.connect(SERVER.address())) {
      List<String> order = new CopyOnWriteArrayList<>();
      try (LeaderSelector a = selector(ca, path, "a", order, observer).autoRequeue();
          LeaderSelector b = selector(cb, path, "b", order, observer).autoRequeue()) {
        a.start();
        b.start();
        poll("six turns", () -> order.size() >= 6);
      }
      for (int i = 1; i < 6; i++) {
        assertNotEquals(order.get(i), order.get(i - 1), "turns " + order);
      }

      Held held = new Held();
      try (LeaderSelector single = new LeaderSelector(ca, path + "-once", "s", held)) {
        assertTrue(single.requeue());
        assertFalse(single.requeue());
        held.next();
        held.release.add(true);
        poll("the first turn to end", single::requeue);
        held.next();
        held.release.add(true);
      }
    }
  }

  private static LeaderSelector selector(
      PaddockClient c, String path, String id, List<String> order, PaddockClient observer) {
    return new LeaderSelector(
        c,
        path,
        id,
        leadership -> {
          order.add(id);
          poll("the other queued", () -> leadership.isCancelled() || children(observer, path) >= 2);
        });
  }

  @Test
  void leaderCutOffIsInterruptedThenLost() throws Exception {
    String path = uniquePath("selector-cut");
    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    BlockingQueue<String> cancelledBy = new LinkedBlockingQueue<>();
    CountDownLatch leading = new CountDownLatch(1);
    Held hn = new Held();
    try (TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient cut =
            PaddockClient.connect(
                proxy.address(),
                ClientOptions.builder().sessionTimeoutMs(2_000).reconnectBackoffMs(20, 200).build());
        PaddockClient other = Clients.connect(SERVER.address());
        LeaderSelector cutSelector =
            new LeaderSelector(
                cut,
                path,
                "cut",
                leadership -> {
                  leading.countDown();
                  try {
                    Thread.sleep(Long.MAX_VALUE); // until interrupted: how leadership is taken
                  } catch (InterruptedException e) {
                    cancelledBy.add(leadership.cancelledBy());
                    throw e;
                  }
                });
        LeaderSelector next = new LeaderSelector(other, path, "next", hn)) {
      cutSelector.addListener(events::add);
      cutSelector.start();
      assertTrue(leading.await(WAIT_S, TimeUnit.SECONDS));
      next.start();
      poll("next queued", () -> children(other, path) == 2);
      proxy.partition();
      assertEquals(ConnectionEvent.SUSPENDED, events.poll(WAIT_S, TimeUnit.SECONDS));
      assertEquals("suspended", cancelledBy.poll(WAIT_S, TimeUnit.SECONDS));
      assertFalse(cutSelector.hasLeadership());
      // The next participant leads only once the cut session expired and its node went.
      hn.next();
      assertEquals(List.of(new Participant("next", true)), next.participants());
      proxy.heal();
      assertEquals(ConnectionEvent.LOST, events.poll(WAIT_S, TimeUnit.SECONDS));
      hn.release.add(true);
      next.close();
      cutSelector.close();
      assertEquals(List.of(), cutSelector.failures());
    }
  }
}
