package dev.paddock.recipes;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import dev.paddock.testing.TcpProxy;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A holder cut off by a TCP proxy: the lock, the leader election and the group member tell
 * SUSPENDED before the session expires, the next contender goes ahead only after the expiry, and
 * LOST comes when the holder is back and learns of it (as the TypeScript recipes do).
 */
class SessionLossTest {
  @RegisterExtension
  static final PaddockServerExtension SERVER =
      new PaddockServerExtension("tickTime=200", "minSessionTimeout=400");

  /** Short enough to reach expiry soon; long enough that SUSPENDED comes well before it. */
  private static final int CUT_TIMEOUT_MS = 2_000;

  private static final long WAIT_S = 30;

  private static PaddockClient connectVia(TcpProxy proxy) throws Exception {
    return PaddockClient.connect(
        proxy.address(),
        ClientOptions.builder()
            .sessionTimeoutMs(CUT_TIMEOUT_MS)
            .reconnectBackoffMs(20, 200)
            .build());
  }

  private static ConnectionEvent next(BlockingQueue<ConnectionEvent> events) throws Exception {
    ConnectionEvent e = events.poll(WAIT_S, TimeUnit.SECONDS);
    assertNotNull(e, "no connection event within the deadline");
    return e;
  }

  /** The sequence every holding recipe follows when its connection is cut for good. */
  private static void cutOff(
      TcpProxy proxy,
      PaddockClient observer,
      String node,
      BlockingQueue<ConnectionEvent> events,
      CompletableFuture<?> taken)
      throws Exception {
    proxy.partition();
    assertEquals(ConnectionEvent.SUSPENDED, next(events));
    // Told before the expiry: the holder's node is still there and nobody went ahead.
    assertNotNull(observer.blocking().exists(node), node + " gone at SUSPENDED");
    assertFalse(taken.isDone(), "the next contender went ahead before the expiry");
    taken.get(WAIT_S, TimeUnit.SECONDS);
    assertNull(observer.blocking().exists(node), "next contender went ahead while " + node + " exists");
    proxy.heal();
    assertEquals(ConnectionEvent.LOST, next(events));
    assertTrue(events.isEmpty(), "events after LOST: " + events);
  }

  @Test
  void lockHolderCutOffIsSuspendedThenLost() throws Exception {
    String path = uniquePath("cut-lock");
    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    try (TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient cut = connectVia(proxy);
        PaddockClient other = Clients.connect(SERVER.address())) {
      DistributedLock holder = new DistributedLock(cut, path);
      holder.addListener(events::add);
      holder.acquire();
      String node = holder.nodePath();
      long token = holder.fencingToken();
      assertTrue(token > 0 && holder.sequence() >= 0);
      DistributedLock waiter = new DistributedLock(other, path);
      CompletableFuture<Void> taken =
          CompletableFuture.runAsync(
              () -> {
                try {
                  waiter.acquire();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      awaitChildren(other, path, 2);
      cutOff(proxy, other, node, events, taken);
      assertFalse(holder.isHeld());
      assertTrue(waiter.fencingToken() > token, "the next holder's token is larger");
      holder.release(); // after LOST: nothing left to delete, no error
      waiter.release();
    }
  }

  @Test
  void leaderCutOffStopsLeadingThenResumesOrLoses() throws Exception {
    String path = uniquePath("cut-election");
    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    BlockingQueue<String> leadership = new LinkedBlockingQueue<>();
    try (TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient cut = connectVia(proxy);
        PaddockClient other = Clients.connect(SERVER.address());
        LeaderElection leader =
            new LeaderElection(
                cut,
                path,
                "cut",
                new LeaderElection.Listener() {
                  @Override
                  public void takeLeadership() {
                    leadership.add("take");
                  }

                  @Override
                  public void loseLeadership() {
                    leadership.add("lose");
                  }

                  @Override
                  public void connectionEvent(ConnectionEvent event) {
                    events.add(event);
                  }
                })) {
      leader.start();
      assertTrue(leader.awaitLeadership(WAIT_S, TimeUnit.SECONDS));
      assertTrue(leader.fencingToken() > 0);
      String node = null;
      for (String c : other.blocking().getChildren(path)) {
        if (other.blocking().getData(path + "/" + c).dataAsString().equals("cut")) {
          node = path + "/" + c;
        }
      }
      assertNotNull(node);
      CompletableFuture<Void> taken = new CompletableFuture<>();
      LeaderElection successor =
          new LeaderElection(
              other,
              path,
              "next",
              new LeaderElection.Listener() {
                @Override
                public void takeLeadership() {
                  taken.complete(null);
                }
              });
      successor.start();
      awaitChildren(other, path, 2);
      // A cut shorter than the session: not leading while SUSPENDED, leading again once back.
      proxy.partition();
      assertEquals(ConnectionEvent.SUSPENDED, next(events));
      assertFalse(leader.isLeader());
      proxy.heal();
      assertEquals(ConnectionEvent.RECONNECTED, next(events));
      assertTrue(leader.awaitLeadership(WAIT_S, TimeUnit.SECONDS));
      assertFalse(taken.isDone());
      cutOff(proxy, other, node, events, taken);
      assertFalse(leader.isLeader());
      assertTrue(successor.isLeader());
      assertEquals("take", leadership.poll());
      assertEquals("lose", leadership.poll());
      assertEquals("take", leadership.poll());
      assertEquals("lose", leadership.poll());
      successor.close();
    }
  }

  @Test
  void memberCutOffIsSuspendedThenLost() throws Exception {
    String path = uniquePath("cut-group");
    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    try (TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient cut = connectVia(proxy);
        PaddockClient other = Clients.connect(SERVER.address())) {
      GroupMember member = new GroupMember(cut, path, "cut", bytes("x"));
      member.addListener(events::add);
      member.join();
      assertTrue(member.fencingToken() > 0);
      GroupMember observer = new GroupMember(other, path, "observer", new byte[0]);
      CompletableFuture<Void> left = new CompletableFuture<>();
      watchUntilGone(observer, "cut", left);
      cutOff(proxy, other, path + "/cut", events, left);
      member.leave(); // after LOST: nothing left to delete, no error
    }
  }

  // Completes `gone` once `id` left the group's view (re-armed on each change).
  private static void watchUntilGone(GroupMember observer, String id, CompletableFuture<Void> gone) {
    CompletableFuture.runAsync(
        () -> {
          try {
            while (true) {
              CompletableFuture<Void> changed = new CompletableFuture<>();
              if (!observer.members(e -> changed.complete(null)).containsKey(id)) {
                gone.complete(null);
                return;
              }
              changed.get(WAIT_S * 2, TimeUnit.SECONDS);
            }
          } catch (Exception e) {
            gone.completeExceptionally(e);
          }
        });
  }

  private static void awaitChildren(PaddockClient c, String path, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (true) {
      CompletableFuture<Void> changed = new CompletableFuture<>();
      int have = c.blocking().getChildren(path, e -> changed.complete(null)).size();
      if (have == n) {
        return;
      }
      changed.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }
}
