package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.ConnectionLossException;
import dev.paddock.client.PaddockException.SessionExpiredException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServer;
import dev.paddock.testing.RecordingWatcher;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server dies and comes back on the same port and data dir. */
class ReconnectTest {
  private static SessionState nextState(LinkedBlockingQueue<SessionState> states)
      throws InterruptedException {
    SessionState s = states.poll(30, TimeUnit.SECONDS);
    assertNotNull(s, "no state change within deadline");
    return s;
  }

  @Test
  void clientReconnectsAfterRestartAndReportsExpiryOrResumes() throws Exception {
    try (PaddockServer server = PaddockServer.start()) {
      LinkedBlockingQueue<SessionState> states = new LinkedBlockingQueue<>();
      PaddockClient c =
          PaddockClient.connect(
              server.address(),
              ClientOptions.builder()
                  .sessionTimeoutMs(20_000)
                  .reconnectBackoffMs(20, 300)
                  .stateListener(states::add)
                  .build());
      assertEquals(SessionState.CONNECTED, nextState(states));
      String p = uniquePath("restart");
      c.blocking().create(p, bytes("kept?"));
      long session = c.sessionId();

      // SIGKILL: a crash. (SIGTERM works too, but the server under test waits for open session
      // streams before exiting, which only slows this test down.)
      server.kill();
      assertEquals(SessionState.DISCONNECTED, nextState(states));
      // While disconnected, requests fail with ConnectionLoss (ZooKeeper's rule) once an attempt fails.
      CompletableFuture<Stat> during = c.exists("/", false);
      ExecutionException lost = assertThrows(ExecutionException.class, () -> during.get(30, TimeUnit.SECONDS));
      assertTrue(lost.getCause() instanceof ConnectionLossException, String.valueOf(lost.getCause()));

      server.restart();
      SessionState after = nextState(states);
      if (after == SessionState.EXPIRED) {
        // In-memory server: the session is unknown after the restart.
        assertEquals(SessionState.EXPIRED, c.state());
        assertThrows(SessionExpiredException.class, () -> c.blocking().exists("/"));
      } else {
        // Durable server: the session resumed with its data.
        assertEquals(SessionState.CONNECTED, after);
        assertEquals(session, c.sessionId());
        assertEquals("kept?", c.blocking().getData(p).dataAsString());
      }
      c.close();

      try (PaddockClient fresh = Clients.connect(server.address())) {
        RecordingWatcher w = new RecordingWatcher();
        String q = uniquePath("fresh");
        fresh.blocking().exists(q, w);
        fresh.blocking().create(q, new byte[0]);
        assertEquals(EventType.NODE_CREATED, w.next().type());
      }
    }
  }
}
