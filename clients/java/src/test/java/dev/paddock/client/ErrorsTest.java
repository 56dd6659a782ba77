package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.paddock.client.PaddockException.BadArgumentsException;
import dev.paddock.client.PaddockException.BadVersionException;
import dev.paddock.client.PaddockException.NoChildrenForEphemeralsException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import dev.paddock.client.PaddockException.NotEmptyException;
import dev.paddock.client.PaddockException.ThrottledException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ZooKeeper's error codes arrive as the matching exception, with the path. */
class ErrorsTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  private static PaddockClient client;
  private static BlockingClient b;

  @BeforeAll
  static void connect() throws Exception {
    client = Clients.connect(SERVER.address());
    b = client.blocking();
  }

  @AfterAll
  static void close() throws Exception {
    client.close();
  }

  @Test
  void noNodeCarriesCodeAndPath() {
    String p = uniquePath("missing");
    NoNodeException e = assertThrows(NoNodeException.class, () -> b.getData(p));
    assertEquals(ErrorCode.NO_NODE, e.code());
    assertEquals(p, e.path());
    assertThrows(NoNodeException.class, () -> b.setData(p, bytes("x"), -1));
    assertThrows(NoNodeException.class, () -> b.delete(p, -1));
    assertThrows(NoNodeException.class, () -> b.getChildren(p));
    // a missing parent
    assertThrows(NoNodeException.class, () -> b.create(p + "/child", new byte[0]));
  }

  @Test
  void asyncFailuresCarryTheSameException() throws Exception {
    CompletableFuture<DataResult> f = client.getData(uniquePath("missing"), (Watcher) null);
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(NoNodeException.class, e.getCause());
  }

  @Test
  void nodeExists() throws Exception {
    String p = uniquePath("dup");
    b.create(p, new byte[0]);
    NodeExistsException e = assertThrows(NodeExistsException.class, () -> b.create(p, new byte[0]));
    assertEquals(p, e.path());
  }

  @Test
  void badVersionOnSetDataAndDelete() throws Exception {
    String p = uniquePath("ver");
    b.create(p, new byte[0]);
    BadVersionException e = assertThrows(BadVersionException.class, () -> b.setData(p, bytes("x"), 5));
    assertEquals(p, e.path());
    assertThrows(BadVersionException.class, () -> b.delete(p, 1));
    assertThrows(BadVersionException.class, () -> b.setACL(p, Ids.OPEN_ACL_UNSAFE, 3));
  }

  @Test
  void notEmpty() throws Exception {
    String p = uniquePath("full");
    b.create(p, new byte[0]);
    b.create(p + "/c", new byte[0]);
    assertThrows(NotEmptyException.class, () -> b.delete(p, -1));
  }

  @Test
  void noChildrenForEphemerals() throws Exception {
    String p = uniquePath("ephparent");
    b.create(p, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    assertThrows(NoChildrenForEphemeralsException.class, () -> b.create(p + "/c", new byte[0]));
  }

  @Test
  void badArgumentsForInvalidPaths() {
    assertThrows(BadArgumentsException.class, () -> b.create("no-slash", new byte[0]));
    assertThrows(BadArgumentsException.class, () -> b.create("/trailing/", new byte[0]));
    assertThrows(BadArgumentsException.class, () -> b.getData("/a//b"));
  }

  @Test
  void theClientQueueIsBoundedWithAClearError() throws Exception {
    try (PaddockClient c =
        PaddockClient.connect(
            SERVER.address(), ClientOptions.builder().maxQueuedRequests(2).build())) {
      CompletableFuture<Stat> first;
      CompletableFuture<Stat> second;
      CompletableFuture<Stat> third;
      try (Batch batch = c.batch()) { // holds them in the queue
        first = c.exists("/", false);
        second = c.exists("/", false);
        third = c.exists("/", false);
        ExecutionException e = assertThrows(ExecutionException.class, third::get);
        assertInstanceOf(ThrottledException.class, e.getCause());
      }
      first.get();
      second.get();
    }
  }
}
