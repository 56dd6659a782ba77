package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.BadVersionException;
import dev.paddock.client.PaddockException.NoAuthException;
import dev.paddock.client.PaddockException.NodeExistsException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Compare-transactions (a Paddock extension; ZooKeeper's multi only checks a version). */
class TxnTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  private static PaddockClient a;
  private static PaddockClient other;

  @BeforeAll
  static void connect() throws Exception {
    a = Clients.connect(SERVER.address());
    other = Clients.connect(SERVER.address());
  }

  @AfterAll
  static void close() throws Exception {
    a.close();
    other.close();
  }

  @Test
  void theThenBranchRunsWhenEveryConditionHoldsWithPerOpResults() throws Exception {
    BlockingClient b = a.blocking();
    String p = uniquePath("then");
    b.create(p, bytes("v0"));
    Stat stat = b.exists(p);
    TxnResult r =
        b.txn(
            Txn.when(
                    Compare.version(p).eq(0),
                    Compare.mzxid(p).eq(stat.mzxid()),
                    Compare.czxid(p).lt(stat.czxid() + 1),
                    Compare.pzxid(p).gt(0),
                    Compare.dataLength(p).gt(1),
                    Compare.numChildren(p).lt(1),
                    Compare.ephemeralOwner(p).eq(0),
                    Compare.cversion(p).ne(5),
                    Compare.aversion(p).eq(0),
                    Compare.exists(p),
                    Compare.notExists(p + "/none"))
                .then(Op.setData(p, bytes("v1"), -1), Op.create(p + "/c", bytes("x")))
                .orElse(Op.setData(p, bytes("else"), -1))
                .build());
    assertTrue(r.succeeded());
    assertEquals(2, r.results().size());
    assertEquals(1, ((OpResult.SetDataResult) r.results().get(0)).stat().version());
    assertEquals(p + "/c", ((OpResult.CreateResult) r.results().get(1)).path());
    assertEquals("v1", b.getData(p).dataAsString());
  }

  @Test
  void theElseBranchRunsWhenAConditionFailsAndTheThenOpsLeaveNoTrace() throws Exception {
    BlockingClient b = a.blocking();
    String p = uniquePath("else");
    b.create(p, bytes("v0"));
    TxnResult r =
        b.txn(
            Txn.when(Compare.version(p).eq(0), Compare.aversion(p).ne(0))
                .then(Op.setData(p, bytes("then"), -1), Op.create(p + "/then", new byte[0]))
                .orElse(Op.create(p + "/else", bytes("e")))
                .build());
    assertFalse(r.succeeded());
    assertEquals(1, r.results().size());
    assertEquals(p + "/else", ((OpResult.CreateResult) r.results().get(0)).path());
    assertEquals("v0", b.getData(p).dataAsString());
    assertNull(b.exists(p + "/then"));
    // A missing node holds no Stat condition, whatever the operator; an empty branch is fine.
    TxnResult none =
        b.txn(Txn.when(Compare.version(p + "/missing").ne(12345)).then(Op.delete(p, -1)).build());
    assertFalse(none.succeeded());
    assertEquals(List.of(), none.results());
    assertTrue(b.exists(p) != null);
  }

  @Test
  void aFailingOpFailsItsBranchAtomicallyAndSaysWhichBranch() throws Exception {
    BlockingClient b = a.blocking();
    String p = uniquePath("atomic");
    b.create(p, new byte[0]);
    b.create(p + "/e", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    Txn txn =
        Txn.when(Compare.ephemeralOwner(p + "/e").eq(a.sessionId()), Compare.cversion(p).eq(1))
            .then(Op.setData(p, bytes("changed"), -1), Op.create(p + "/e", new byte[0]))
            .build();
    NodeExistsException e = assertThrows(NodeExistsException.class, () -> b.txn(txn));
    assertEquals(Boolean.TRUE, e.txnSucceeded());
    assertEquals(p + "/e", e.path());
    assertEquals(2, e.results().size());
    assertEquals(ErrorCode.OK, ((OpResult.ErrorResult) e.results().get(0)).code());
    assertEquals(ErrorCode.NODE_EXISTS, ((OpResult.ErrorResult) e.results().get(1)).code());
    assertEquals(0, b.exists(p).version(), "nothing applied");
    // The other session does not own the node: its else-branch fails, and says so.
    Txn theirs =
        Txn.when(Compare.ephemeralOwner(p + "/e").eq(other.sessionId()))
            .orElse(Op.check(p, 7))
            .build();
    BadVersionException bv =
        assertThrows(BadVersionException.class, () -> other.blocking().txn(theirs));
    assertEquals(Boolean.FALSE, bv.txnSucceeded());
    assertEquals(p, bv.path());
  }

  @Test
  void twoThreadsRacingACompareAndSetOnMzxidHaveExactlyOneWinnerPerRound() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String p = uniquePath("race" + round);
        a.blocking().create(p, bytes("start"));
        long seen = a.blocking().exists(p).mzxid();
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<Boolean> casA = cas(a, p, seen, "a", start);
        Callable<Boolean> casB = cas(other, p, seen, "b", start);
        Future<Boolean> fa = pool.submit(casA);
        Future<Boolean> fb = pool.submit(casB);
        boolean wonA = fa.get(30, TimeUnit.SECONDS);
        boolean wonB = fb.get(30, TimeUnit.SECONDS);
        assertTrue(wonA ^ wonB, "round " + round + ": a " + wonA + ", b " + wonB);
        a.blocking().sync(p);
        DataResult got = a.blocking().getData(p);
        assertEquals(wonA ? "a" : "b", got.dataAsString());
        assertEquals(1, got.stat().version());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Callable<Boolean> cas(
      PaddockClient c, String p, long mzxid, String who, CyclicBarrier start) {
    Txn txn =
        Txn.when(Compare.mzxid(p).eq(mzxid))
            .then(Op.setData(p, bytes(who), -1))
            .orElse(Op.check(p, -1))
            .build();
    return () -> {
      start.await(30, TimeUnit.SECONDS);
      TxnResult r = c.blocking().txn(txn);
      if (!r.succeeded()) {
        assertInstanceOf(OpResult.CheckResult.class, r.results().get(0));
      }
      return r.succeeded();
    };
  }

  @Test
  void refusedConditionsRunNoBranchAndBadOnesAreNamed() throws Exception {
    BlockingClient b = a.blocking();
    String p = uniquePath("noread");
    List<Acl> writeOnly = List.of(new Acl(Perms.WRITE, "world", "anyone"));
    b.create(p, new byte[0], writeOnly, CreateMode.PERSISTENT);
    Txn txn = Txn.when(Compare.version(p).eq(0)).then(Op.setData(p, new byte[0], -1)).build();
    NoAuthException refused = assertThrows(NoAuthException.class, () -> b.txn(txn));
    assertNull(refused.txnSucceeded(), "no branch ran");
    IllegalArgumentException existence =
        assertThrows(
            IllegalArgumentException.class,
            () -> Compare.of(p, Compare.Target.EXISTS, Compare.Operator.GREATER, 0));
    assertTrue(existence.getMessage().contains("existence of " + p), existence.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Compare.of(p, Compare.Target.EXISTS, Compare.Operator.EQUAL, 2));
    assertEquals("MZXID of /x > 3", Compare.mzxid("/x").gt(3).toString());
  }
}
