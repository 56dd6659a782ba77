package dev.paddock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;
import paddock.v1.Data;
import paddock.v1.Watch;

/** Joining a watch stream's fragments, without a server. */
class FragmentJoinTest {
  private static Watch.WatchChanges changes(long zxid, boolean fragment, String... paths) {
    Watch.WatchChanges.Builder b =
        Watch.WatchChanges.newBuilder().setZxid(zxid).setFragment(fragment);
    for (String p : paths) {
      b.addChanges(Watch.WatchChange.newBuilder().setTypeValue(1).setPath(p));
    }
    return b.build();
  }

  @Test
  void aTransactionInFragmentsComesOutWhole() throws Exception {
    FragmentJoin join = new FragmentJoin("/w");
    assertNull(join.add(changes(7, true, "/w/a", "/w/b"), 6));
    assertNull(join.add(changes(7, true, "/w/c"), 6));
    WatchBatch b = join.add(changes(7, false, "/w/d"), 6);
    assertEquals(7, b.zxid());
    assertEquals(
        List.of("/w/a", "/w/b", "/w/c", "/w/d"),
        b.changes().stream().map(WatchChange::path).toList());
    assertEquals(1, join.add(changes(8, false, "/w/e"), 7).changes().size());
  }

  @Test
  void brokenSequencesAreSystemErrorsNamingThePath() throws Exception {
    FragmentJoin join = new FragmentJoin("/w");
    join.add(changes(7, true, "/w/a"), 6);
    PaddockException e =
        assertThrows(PaddockException.class, () -> join.add(changes(8, false, "/w/b"), 6));
    assertEquals(ErrorCode.SYSTEM_ERROR, e.code());
    assertEquals("/w", e.path());
    assertTrue(e.getMessage().contains("fragments of zxid 0x7 ended by zxid 0x8"), e.getMessage());
    FragmentJoin other = new FragmentJoin("/w");
    other.add(changes(7, true, "/w/a"), 6);
    assertThrows(PaddockException.class, () -> other.progress(7));
    assertThrows(
        PaddockException.class, () -> new FragmentJoin("/w").add(changes(6, false, "/w/a"), 6));
  }

  @Test
  void previousDataAndNullFlagsAreCarried() {
    WatchChange c =
        FragmentJoin.change(
            Watch.WatchChange.newBuilder()
                .setTypeValue(2)
                .setPath("/w/a")
                .setPrevData(ByteString.EMPTY)
                .setPrevStat(Data.Stat.newBuilder().setVersion(3))
                .setPrevDataNull(true)
                .build());
    assertEquals(EventType.NODE_DELETED, c.type());
    assertNull(c.data());
    assertNull(c.stat());
    assertEquals(0, c.prevData().length);
    assertEquals(3, c.prevStat().version());
    assertTrue(c.prevDataNull());
  }

  @Test
  void idleTimeoutIsThreeProgressIntervals() {
    assertEquals(600, WatchStream.idleTimeoutMs(200));
    assertEquals(15_000, WatchStream.idleTimeoutMs(0)); // the server's default, 5 s
    assertEquals(300, WatchStream.idleTimeoutMs(10)); // the server clamps to 100 ms
  }
}
