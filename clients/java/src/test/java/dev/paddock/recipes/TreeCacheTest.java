package dev.paddock.recipes;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.SessionState;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import dev.paddock.testing.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tree cache follows a subtree and reads again what it missed while disconnected. */
class TreeCacheTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  private static Map<String, String> text(Map<String, byte[]> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  private static void awaitCache(TreeCache cache, Map<String, String> want)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!text(cache.current()).equals(want)) {
      assertTrue(System.nanoTime() < deadline, "cache " + text(cache.current()) + ", want " + want);
      Thread.sleep(10); // polling a condition, bounded by the deadline
    }
  }

  @Test
  void followsTheSubtreeAndRereadsAfterReconnect() throws Exception {
    String r = uniquePath("tree");
    LinkedBlockingQueue<SessionState> states = new LinkedBlockingQueue<>();
    try (PaddockClient other = Clients.connect(SERVER.address());
        TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient c =
            PaddockClient.connect(
                proxy.address(),
                ClientOptions.builder()
                    .sessionTimeoutMs(10_000)
                    .reconnectBackoffMs(20, 200)
                    .stateListener(states::add)
                    .build())) {
      other.blocking().create(r, new byte[0]);
      other.blocking().create(r + "/x", bytes("0"));
      other.blocking().create(r + "/y", bytes("0"));
      TreeCache cache = new TreeCache(c, r, null);
      cache.start();
      try {
        assertEquals(Map.of(r, "", r + "/x", "0", r + "/y", "0"), text(cache.current()));
        other.blocking().create(r + "/x/k", bytes("kid"));
        other.blocking().setData(r + "/y", bytes("1"), -1);
        awaitCache(cache, Map.of(r, "", r + "/x", "0", r + "/x/k", "kid", r + "/y", "1"));
        proxy.partition();
        SessionState s;
        do {
          s = states.poll(10, TimeUnit.SECONDS);
        } while (s != null && s != SessionState.DISCONNECTED);
        assertEquals(SessionState.DISCONNECTED, s);
        other.blocking().delete(r + "/x/k", -1);
        other.blocking().setData(r + "/x", bytes("2"), -1);
        other.blocking().create(r + "/z", bytes("new"));
        proxy.heal();
        awaitCache(cache, Map.of(r, "", r + "/x", "2", r + "/y", "1", r + "/z", "new"));
      } finally {
        cache.close();
      }
    }
  }
}
