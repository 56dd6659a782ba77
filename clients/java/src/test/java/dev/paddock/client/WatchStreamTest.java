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
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import paddock.v1.Watch;
import paddock.v1.WatchServiceGrpc;

/**
 * The resumable watch stream against a real server (durable data, a 64 KiB history): start from
 * a zxid, resume by itself after a cut connection, a half-open one and the server's restart, the
 * compacted-history error with the oldest zxid, and a clean close.
 */
class WatchStreamTest {
  private static WatchBatch next(WatchStream s) throws Exception {
    WatchBatch b = s.poll(20, TimeUnit.SECONDS);
    assertNotNull(b, "no batch within 20 s");
    return b;
  }

  /**
   * The proxy freezes the connection (open, carrying nothing, no FIN, no RST) while writes go on:
   * with a 200 ms progress interval the stream hears nothing for three intervals, gives the call
   * up and reopens from its last zxid on a new connection. Without that watchdog it waits on the
   * frozen connection for ever and the 20 s poll fails the test.
   */
  @Test
  void reopensAfterHalfOpenConnection() throws Exception {
    try (PaddockServer server = PaddockServer.start();
        TcpProxy proxy = new TcpProxy(server.port())) {
      PaddockClient writer = Clients.connect(server.address());
      PaddockClient reader = Clients.connect(proxy.address());
      writer.blocking().create("/half", bytes(""));
      long start = writer.blocking().exists("/half").czxid();
      try (WatchStream stream =
          reader.watchStream(
              "/half",
              WatchStream.Options.defaults()
                  .fromZxid(start)
                  .withData(true)
                  .progressIntervalMs(200))) {
        writer.blocking().setData("/half", bytes("before"), -1);
        long last = next(stream).zxid();
        proxy.freeze();
        for (int i = 0; i < 5; i++) {
          writer.blocking().setData("/half", bytes("v" + i), -1);
        }
        for (int i = 0; i < 5; i++) {
          WatchBatch b = next(stream);
          assertTrue(b.zxid() > last, "zxid order");
          last = b.zxid();
          assertEquals(1, b.changes().size());
          assertArrayEquals(bytes("v" + i), b.changes().get(0).data());
        }
      }
      reader.close();
      writer.close();
    }
  }

  /**
   * A multi that sets six nodes of 150,000 bytes (a request under jute.maxbuffer, 1 MiB - 1 by
   * default), watched with data and previous data (about twice that), comes in fragments (a raw
   * stream sees them) and is delivered as one whole batch; a stream filtered to NODE_DELETED skips
   * the multi and gets the delete, with the node's last data as prevData.
   */
  @Test
  void previousDataEventTypesAndAFragmentedMulti() throws Exception {
    try (PaddockServer server = PaddockServer.start()) {
      PaddockClient c = Clients.connect(server.address());
      byte[] before = new byte[150_000];
      byte[] after = new byte[150_000];
      Arrays.fill(before, (byte) 'a');
      Arrays.fill(after, (byte) 'b');
      c.blocking().create("/f", bytes(""));
      List<String> nodes = new ArrayList<>();
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        nodes.add("/f/n" + i);
        c.blocking().create("/f/n" + i, before);
        ops.add(Op.setData("/f/n" + i, after, 0));
      }
      long start = c.blocking().exists("/f/n5").czxid();
      WatchStream.Options base = WatchStream.Options.defaults().fromZxid(start).recursive(true);
      try (WatchStream every = c.watchStream("/f", base.withData(true).withPrevData(true));
          WatchStream deletes =
              c.watchStream(
                  "/f", base.withPrevData(true).eventTypes(EventType.NODE_DELETED))) {
        c.blocking().multi(ops);
        c.blocking().delete("/f/n0", -1);
        WatchBatch multi = next(every);
        assertEquals(
            nodes,
            multi.changes().stream().map(WatchChange::path).toList(),
            "the multi's fragments joined in one batch");
        for (WatchChange ch : multi.changes()) {
          assertEquals(EventType.NODE_DATA_CHANGED, ch.type());
          assertArrayEquals(after, ch.data());
          assertArrayEquals(before, ch.prevData());
          assertEquals(List.of(1, 0), List.of(ch.stat().version(), ch.prevStat().version()));
          assertTrue(!ch.dataNull() && !ch.prevDataNull());
        }
        WatchBatch deleted = next(every);
        WatchChange d = deleted.changes().get(0);
        assertEquals(List.of(EventType.NODE_DELETED, "/f/n0"), List.of(d.type(), d.path()));
        assertNull(d.data());
        assertArrayEquals(after, d.prevData());
        WatchBatch only = next(deletes);
        assertEquals(deleted.zxid(), only.zxid());
        assertEquals(1, only.changes().size());
        assertArrayEquals(after, only.changes().get(0).prevData());
        assertTrue(rawMessagesFor(server.address(), start, multi.zxid()) >= 2, "fragmented");
      }
      assertThrows(
          IllegalArgumentException.class,
          () -> c.watchStream("/f", WatchStream.Options.defaults().eventTypes(EventType.NONE)));
      c.close();
    }
  }

  /** How many WatchChanges messages transaction zxid takes on a raw fragmenting stream of /f. */
  private static int rawMessagesFor(String address, long start, long zxid) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
    try {
      Iterator<Watch.WatchStreamResponse> it =
          WatchServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(20, TimeUnit.SECONDS)
              .watch(
                  Watch.WatchStreamRequest.newBuilder()
                      .setPath("/f")
                      .setRecursive(true)
                      .setFromZxid(start)
                      .setWithData(true)
                      .setWithPrevData(true)
                      .setFragment(true)
                      .build());
      int n = 0;
      while (true) {
        Watch.WatchStreamResponse m = it.next();
        if (m.hasChanges() && m.getChanges().getZxid() == zxid) {
          n++;
          if (!m.getChanges().getFragment()) {
            return n;
          }
        }
      }
    } finally {
      channel.shutdownNow();
    }
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

      // The server restarts with its data: a stream (direct) resumes from its last zxid.
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
