package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.paddock.client.PaddockException.BadVersionException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Atomic multi with ZooKeeper's per-op results on success and on failure. */
class MultiTest {
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
  void allOpsApplyWithTheirResults() throws Exception {
    String p = uniquePath("multi");
    b.create(p, bytes("0"));
    b.create(p + "/gone", new byte[0]);
    List<OpResult> results =
        b.multi(
            Op.check(p, 0),
            Op.create(p + "/new", bytes("n")),
            Op.setData(p, bytes("1"), 0),
            Op.delete(p + "/gone", -1));
    assertEquals(4, results.size());
    assertInstanceOf(OpResult.CheckResult.class, results.get(0));
    assertEquals(p + "/new", ((OpResult.CreateResult) results.get(1)).path());
    assertEquals(1, ((OpResult.SetDataResult) results.get(2)).stat().version());
    assertInstanceOf(OpResult.DeleteResult.class, results.get(3));
    assertEquals("1", b.getData(p).dataAsString());
    assertNull(b.exists(p + "/gone"));
  }

  @Test
  void aFailingOpFailsAllWithPerOpResults() throws Exception {
    String p = uniquePath("multifail");
    b.create(p, bytes("0"));
    BadVersionException e =
        assertThrows(
            BadVersionException.class,
            () ->
                b.multi(
                    Op.create(p + "/a", new byte[0]),
                    Op.setData(p, bytes("x"), 7),
                    Op.create(p + "/b", new byte[0])));
    assertEquals(p, e.path());
    List<OpResult> r = e.results();
    assertEquals(3, r.size());
    // ZooKeeper: OK before the failing op, its code, RUNTIME_INCONSISTENCY after
    assertEquals(ErrorCode.OK, ((OpResult.ErrorResult) r.get(0)).code());
    assertEquals(ErrorCode.BAD_VERSION, ((OpResult.ErrorResult) r.get(1)).code());
    assertEquals(ErrorCode.RUNTIME_INCONSISTENCY, ((OpResult.ErrorResult) r.get(2)).code());
    assertNull(b.exists(p + "/a"), "nothing applied");
    assertEquals("0", b.getData(p).dataAsString());
  }
}
