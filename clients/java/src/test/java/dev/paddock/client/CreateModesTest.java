package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.BadArgumentsException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every create mode, TTL ones with extendedTypesEnabled=true (as ZooKeeper requires). */
class CreateModesTest {
  @RegisterExtension
  static final PaddockServerExtension SERVER = new PaddockServerExtension("extendedTypesEnabled=true");

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
  void persistent() throws Exception {
    String p = uniquePath("pers");
    assertEquals(p, b.create(p, bytes("d"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
    assertEquals(0, b.exists(p).ephemeralOwner());
  }

  @Test
  void ephemeralIsOwnedByTheSession() throws Exception {
    String p = uniquePath("eph");
    b.create(p, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    assertEquals(client.sessionId(), b.exists(p).ephemeralOwner());
  }

  @Test
  void sequentialNamesHaveTenDigitsAndIncrease() throws Exception {
    String parent = uniquePath("seq");
    b.create(parent, new byte[0]);
    String first = b.create(parent + "/n-", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
    String second = b.create(parent + "/n-", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
    // ZooKeeper: the suffix is the parent's cversion, %010d
    assertEquals(parent + "/n-0000000000", first);
    assertEquals(parent + "/n-0000000001", second);
    assertEquals(client.sessionId(), b.exists(second).ephemeralOwner());
    assertEquals(0, b.exists(first).ephemeralOwner());
  }

  @Test
  void container() throws Exception {
    String p = uniquePath("cont");
    b.create(p, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
    // ZooKeeper 3.8 (checked with zkCli `stat`) stores a marker but shows clients ephemeralOwner 0
    assertEquals(0, b.exists(p).ephemeralOwner());
    assertEquals(0, b.exists(p).numChildren());
  }

  @Test
  void ttlModes() throws Exception {
    String p = uniquePath("ttl");
    b.create(p, bytes("t"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 60_000);
    Stat st = b.exists(p);
    assertNotNull(st);
    // ZooKeeper 3.8 (checked with zkCli `stat`) shows clients ephemeralOwner 0 for TTL nodes too
    assertEquals(0, st.ephemeralOwner());
    assertEquals("t", b.getData(p).dataAsString());

    String parent = uniquePath("ttlseq");
    b.create(parent, new byte[0]);
    String seq =
        b.create(parent + "/t-", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 60_000);
    assertTrue(seq.matches(".*/t-\\d{10}"), seq);
  }

  @Test
  void ttlModeWithoutATtlIsABadArgument() {
    String p = uniquePath("ttl0");
    assertThrows(
        BadArgumentsException.class,
        () -> b.create(p, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 0));
  }
}
