package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CrudTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  private PaddockClient client;
  private BlockingClient b;

  @BeforeEach
  void connect() throws Exception {
    client = Clients.connect(SERVER.address());
    b = client.blocking();
  }

  @AfterEach
  void close() throws Exception {
    client.close();
  }

  @Test
  void connectGivesASessionIdAndTimeout() {
    assertEquals(SessionState.CONNECTED, client.state());
    assertNotEquals(0, client.sessionId());
    assertTrue(client.sessionTimeoutMs() > 0);
  }

  @Test
  void createGetSetDeleteWithVersions() throws Exception {
    String p = uniquePath("crud");
    assertEquals(p, b.create(p, bytes("v0")));
    DataResult d = b.getData(p);
    assertArrayEquals(bytes("v0"), d.data());
    assertEquals(0, d.stat().version());
    assertEquals(2, d.stat().dataLength());
    assertEquals(0, d.stat().ephemeralOwner());
    assertEquals(d.stat().czxid(), d.stat().mzxid());
    assertTrue(d.stat().ctime() > 0);

    Stat s1 = b.setData(p, bytes("v1"), 0);
    assertEquals(1, s1.version());
    assertTrue(s1.mzxid() > d.stat().mzxid());
    Stat s2 = b.setData(p, bytes("v2-any"), -1);
    assertEquals(2, s2.version());
    assertEquals("v2-any", b.getData(p).dataAsString());

    b.delete(p, 2);
    assertNull(b.exists(p));
  }

  @Test
  void childrenAndParentStat() throws Exception {
    String p = uniquePath("kids");
    b.create(p, new byte[0]);
    b.create(p + "/a", new byte[0]);
    b.create(p + "/b", bytes("x"));
    List<String> kids = new ArrayList<>(b.getChildren(p));
    kids.sort(null);
    assertEquals(List.of("a", "b"), kids);
    Stat st = b.exists(p);
    assertEquals(2, st.numChildren());
    assertEquals(2, st.cversion());
    assertEquals(List.of(), b.getChildren(p + "/a"));
  }

  @Test
  void asyncCallsCompleteInOrder() throws Exception {
    String p = uniquePath("async");
    List<String> order = new ArrayList<>();
    CompletableFuture<String> c = client.create(p, bytes("a"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    CompletableFuture<Stat> s = client.setData(p, bytes("b"), 0);
    CompletableFuture<DataResult> g = client.getData(p, (Watcher) null);
    c.thenRun(() -> order.add("create"));
    s.thenRun(() -> order.add("set"));
    g.thenRun(() -> order.add("get"));
    assertEquals("b", g.get().dataAsString());
    assertEquals(1, s.get().version());
    // All three completed on the one event thread, in reply order (FIFO per session).
    CompletableFuture.allOf(c, s, g).get();
    client.sync("/").get();
    assertEquals(List.of("create", "set", "get"), order);
  }

  @Test
  void requestsInABatchLeaveInOneEnvelope() throws Exception {
    String p = uniquePath("batch");
    b.create(p, new byte[0]);
    long envelopes = client.envelopesSent();
    long requests = client.requestsSent();
    List<CompletableFuture<String>> fs = new ArrayList<>();
    try (Batch batch = client.batch()) {
      for (int i = 0; i < 50; i++) {
        fs.add(client.create(p + "/n" + i, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
      }
    }
    for (int i = 0; i < 50; i++) {
      assertEquals(p + "/n" + i, fs.get(i).get());
    }
    // Pings may slip in between, each in its own envelope; the 50 creates take one.
    long newEnvelopes = client.envelopesSent() - envelopes;
    long newRequests = client.requestsSent() - requests;
    assertEquals(newRequests - 50 + 1, newEnvelopes);
    assertEquals(50, b.getChildren(p).size());
  }

  @Test
  void syncAndWhoAmI() throws Exception {
    assertEquals("/", b.sync("/"));
    List<ClientInfo> who = b.whoAmI();
    assertFalse(who.isEmpty());
  }

  @Test
  void envelopesAreSplitUnderTheServersRequestSizeLimit() throws Exception {
    // PROTOCOL.md: keep an envelope under ConnectResponse.max_request_bytes (1 MiB by default).
    String p = uniquePath("big");
    b.create(p, new byte[0]);
    byte[] data = new byte[300 * 1024];
    long envelopes = client.envelopesSent();
    List<CompletableFuture<String>> fs = new ArrayList<>();
    try (Batch batch = client.batch()) {
      for (int i = 0; i < 8; i++) {
        fs.add(client.create(p + "/n" + i, data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
      }
    }
    for (CompletableFuture<String> f : fs) {
      f.get();
    }
    assertTrue(client.envelopesSent() - envelopes >= 3, "2.4 MB did not fit one envelope");
    assertEquals(300 * 1024, b.exists(p + "/n7").dataLength());
  }

  @Test
  void moreRequestsThanTheOutstandingLimitAllComplete() throws Exception {
    // PROTOCOL.md: never more than max_outstanding_requests unanswered; the rest wait their turn.
    List<CompletableFuture<Stat>> fs = new ArrayList<>();
    try (Batch batch = client.batch()) {
      for (int i = 0; i < 5000; i++) {
        fs.add(client.exists("/", false));
      }
    }
    for (CompletableFuture<Stat> f : fs) {
      assertTrue(f.get().numChildren() >= 0);
    }
  }
}
