package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServer;
import dev.paddock.testing.TcpProxy;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The resumable watch stream against a real server (durable data, a 64 KiB history): start from
 * a zxid, resume by itself after a cut connection and after the server's restart, the
 * compacted-history error with the oldest zxid, and a clean close.
 */
class WatchStreamTest {
  private static WatchBatch next(WatchStream s) throws Exception {
    WatchBatch b = s.poll(20, TimeUnit.SECONDS);
    assertNotNull(b, "no batch within 20 s");
    return b;
  }

  @Test
  void resumesAfterCutAndRestartAndReportsCompaction() throws Exception {
    try (PaddockServer server = PaddockServer.start("watchHistorySize=64");
        TcpProxy proxy = new TcpProxy(server.port())) {
      PaddockClient writer = Clients.connect(server.address());
      PaddockClient reader =
          PaddockClient.connect(
              proxy.address(), ClientOptions.builder().reconnectBackoffMs(20, 200).build());
      writer.blocking().create("/ws", bytes(""));
      long start = writer.blocking().exists("/ws").czxid();
      writer.blocking().create("/ws/a", bytes("1"));

      WatchStream stream =
          reader.watchStream(
              "/ws", WatchStream.Options.defaults().fromZxid(start).recursive(true).withData(true));
      WatchBatch first = next(stream);
      assertEquals(EventType.NODE_CREATED, first.changes().get(0).type());
      assertArrayEquals(bytes("1"), first.changes().get(0).data());

      proxy.partition();
      for (int i = 0; i < 5; i++) {
        writer.blocking().setData("/ws/a", bytes("v" + i), -1);
      }
      proxy.heal();
      long last = first.zxid();
      for (int i = 0; i < 5; i++) {
        WatchBatch b = next(stream);
        assertTrue(b.zxid() > last, "zxid order");
        last = b.zxid();
        WatchChange c = b.changes().get(0);
        assertEquals(List.of(EventType.NODE_DATA_CHANGED, "/ws/a"), List.of(c.type(), c.path()));
        assertArrayEquals(bytes("v" + i), c.data());
      }

      stream.close();
      assertNull(stream.take(), "take after close");

      // The server restarts with its data: a stream (direct, not through the proxy, which keeps
      // a client socket open when the server is down) resumes from its last zxid.
      stream =
          writer.watchStream(
              "/ws", WatchStream.Options.defaults().fromZxid(last).recursive(true).withData(true));
      server.kill();
      server.restart();
      PaddockClient other = Clients.connect(server.address());
      other.blocking().setData("/ws/a", bytes("after"), -1);
      WatchBatch after = next(stream);
      assertTrue(after.zxid() > last, "after restart");
      assertArrayEquals(bytes("after"), after.changes().get(0).data());
      stream.close();

      // 12 writes of 16 KiB push /ws's creation out of the 64 KiB history.
      for (int i = 0; i < 12; i++) {
        other.blocking().setData("/ws", new byte[16 << 10], -1);
      }
      try (WatchStream stale = other.watchStream("/ws", WatchStream.Options.defaults().fromZxid(start))) {
        WatchCompactedException e = assertThrows(WatchCompactedException.class, () -> next(stale));
        assertTrue(e.oldestZxid() > start, "oldest " + e.oldestZxid());
        assertEquals("/ws", e.path());
        try (WatchStream fresh =
            other.watchStream("/ws", WatchStream.Options.defaults().fromZxid(e.oldestZxid()))) {
          assertTrue(next(fresh).zxid() > e.oldestZxid());
        }
      }
      assertThrows(
          IllegalArgumentException.class,
          () -> other.watchStream("relative", WatchStream.Options.defaults()));
      other.close();
      reader.close();
      writer.close();
    }
  }
}
