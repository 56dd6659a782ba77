package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.SessionExpiredException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import dev.paddock.testing.RecordingWatcher;
import dev.paddock.testing.TcpProxy;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Session lifetime: heartbeats, close, expiry, resume. Short timeouts make expiry quick. */
class SessionTest {
  @RegisterExtension
  static final PaddockServerExtension SERVER =
      new PaddockServerExtension("tickTime=200", "minSessionTimeout=400");

  private static SessionState nextState(LinkedBlockingQueue<SessionState> states)
      throws InterruptedException {
    SessionState s = states.poll(RecordingWatcher.DEADLINE_MS, TimeUnit.MILLISECONDS);
    assertNotNull(s, "no state change within deadline");
    return s;
  }

  private static ClientOptions.Builder quick(LinkedBlockingQueue<SessionState> states, int timeoutMs) {
    return ClientOptions.builder()
        .sessionTimeoutMs(timeoutMs)
        .reconnectBackoffMs(20, 200)
        .stateListener(states::add);
  }

  @Test
  void heartbeatsKeepAnIdleSessionAlive() throws Exception {
    // ZooKeeper's client pings after a third of the timeout without sending: with a 600 ms
    // session, idling through several pings (well past the timeout) must not expire it.
    try (PaddockClient c =
        PaddockClient.connect(SERVER.address(), ClientOptions.builder().sessionTimeoutMs(600).build())) {
      String p = uniquePath("hb");
      c.blocking().create(p, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      long start = c.requestsSent();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (c.requestsSent() - start < 6 && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling a counter against a deadline
      }
      assertTrue(c.requestsSent() - start >= 6, "pings were sent");
      assertEquals(SessionState.CONNECTED, c.state());
      assertEquals(c.sessionId(), c.blocking().exists(p).ephemeralOwner());
    }
  }

  @Test
  void ephemeralVanishesWhenItsSessionCloses() throws Exception {
    String p = uniquePath("eph-close");
    try (PaddockClient observer = Clients.connect(SERVER.address())) {
      PaddockClient owner = Clients.connect(SERVER.address());
      owner.blocking().create(p, bytes("x"), Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      RecordingWatcher w = new RecordingWatcher();
      assertNotNull(observer.blocking().exists(p, w));
      owner.close();
      assertEquals(SessionState.CLOSED, owner.state());
      WatchedEvent e = w.next();
      assertEquals(EventType.NODE_DELETED, e.type());
      assertEquals(p, e.path());
      assertNull(observer.blocking().exists(p));
      // a closed client refuses new work
      assertThrows(SessionExpiredException.class, () -> owner.blocking().exists(p));
    }
  }

  @Test
  void ephemeralVanishesWhenItsSessionExpiresAndTheClientIsTold() throws Exception {
    String p = uniquePath("eph-expire");
    LinkedBlockingQueue<SessionState> states = new LinkedBlockingQueue<>();
    try (PaddockClient observer = Clients.connect(SERVER.address());
        TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient owner = PaddockClient.connect(proxy.address(), quick(states, 400).build())) {
      assertEquals(SessionState.CONNECTED, nextState(states));
      owner.blocking().create(p, bytes("x"), Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      RecordingWatcher w = new RecordingWatcher();
      assertNotNull(observer.blocking().exists(p, w));

      proxy.partition(); // the owner can no longer ping: the server expires the session
      assertEquals(SessionState.DISCONNECTED, nextState(states));
      WatchedEvent e = w.next();
      assertEquals(EventType.NODE_DELETED, e.type());
      assertNull(observer.blocking().exists(p));

      proxy.heal(); // the resume attempt learns of the expiry
      assertEquals(SessionState.EXPIRED, nextState(states));
      assertEquals(SessionState.EXPIRED, owner.state());
      assertThrows(SessionExpiredException.class, () -> owner.blocking().getData("/"));
    }
  }

  @Test
  void sessionResumesAfterAShortOutageAndMissedEventsFire() throws Exception {
    // ZooKeeper's SetWatches on reconnect: a watch set before the outage hears a change made
    // during it, and ephemerals survive because the session did.
    String p = uniquePath("resume");
    LinkedBlockingQueue<SessionState> states = new LinkedBlockingQueue<>();
    try (PaddockClient other = Clients.connect(SERVER.address());
        TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient c = PaddockClient.connect(proxy.address(), quick(states, 4000).build())) {
      assertEquals(SessionState.CONNECTED, nextState(states));
      long session = c.sessionId();
      other.blocking().create(p, bytes("before"));
      c.blocking().create(p + "-eph", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      RecordingWatcher w = new RecordingWatcher();
      c.blocking().getData(p, w);

      proxy.partition();
      assertEquals(SessionState.DISCONNECTED, nextState(states));
      other.blocking().setData(p, bytes("during"), -1);
      proxy.heal();

      assertEquals(SessionState.CONNECTED, nextState(states));
      assertEquals(session, c.sessionId());
      WatchedEvent e = w.next();
      assertEquals(EventType.NODE_DATA_CHANGED, e.type());
      assertEquals(p, e.path());
      assertEquals("during", c.blocking().getData(p).dataAsString());
      assertEquals(session, c.blocking().exists(p + "-eph").ephemeralOwner());
    }
  }
}
