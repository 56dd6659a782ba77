package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.NoWatcherException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import dev.paddock.testing.RecordingWatcher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One-time and persistent watches, with ZooKeeper's trigger rules. */
class WatchTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  private static PaddockClient client;
  private static PaddockClient other;
  private static BlockingClient b;
  private static BlockingClient ob;

  @BeforeAll
  static void connect() throws Exception {
    client = Clients.connect(SERVER.address());
    other = Clients.connect(SERVER.address());
    b = client.blocking();
    ob = other.blocking();
  }

  @AfterAll
  static void close() throws Exception {
    client.close();
    other.close();
  }

  private static void expect(RecordingWatcher w, EventType type, String path) throws Exception {
    WatchedEvent e = w.next();
    assertEquals(type, e.type(), "event for " + e.path());
    assertEquals(path, e.path());
  }

  @Test
  void dataWatchFiresOnceThenIsGone() throws Exception {
    String p = uniquePath("once");
    b.create(p, bytes("0"));
    RecordingWatcher once = new RecordingWatcher();
    RecordingWatcher sentinel = new RecordingWatcher();
    b.getData(p, once);
    b.addWatch(p, sentinel, AddWatchMode.PERSISTENT);
    ob.setData(p, bytes("1"), -1);
    expect(once, EventType.NODE_DATA_CHANGED, p);
    expect(sentinel, EventType.NODE_DATA_CHANGED, p);
    ob.setData(p, bytes("2"), -1);
    expect(sentinel, EventType.NODE_DATA_CHANGED, p);
    // both hear an event in the same delivery: the one-time watcher heard nothing this time
    assertEquals(0, once.pending());
  }

  @Test
  void existsWatchHearsCreationAndDataWatchHearsDeletion() throws Exception {
    String p = uniquePath("exists");
    RecordingWatcher w = new RecordingWatcher();
    assertNull(b.exists(p, w));
    ob.create(p, new byte[0]);
    expect(w, EventType.NODE_CREATED, p);
    b.exists(p, w);
    ob.delete(p, -1);
    expect(w, EventType.NODE_DELETED, p);
  }

  @Test
  void childWatchHearsChildrenChanged() throws Exception {
    String p = uniquePath("kids");
    b.create(p, new byte[0]);
    RecordingWatcher w = new RecordingWatcher();
    b.getChildren(p, w);
    ob.create(p + "/c", new byte[0]);
    expect(w, EventType.NODE_CHILDREN_CHANGED, p);
  }

  @Test
  void aWatchEventArrivesBeforeTheReplyThatShowsItsData() throws Exception {
    String p = uniquePath("order");
    b.create(p, bytes("0"));
    List<String> seen = new CopyOnWriteArrayList<>();
    b.getData(p, e -> seen.add("event " + e.type()));
    client.setData(p, bytes("1"), -1).thenRun(() -> seen.add("reply")).get();
    assertEquals(List.of("event NODE_DATA_CHANGED", "reply"), seen);
  }

  @Test
  void persistentWatchStaysForEveryEvent() throws Exception {
    String p = uniquePath("pers");
    RecordingWatcher w = new RecordingWatcher();
    b.addWatch(p, w, AddWatchMode.PERSISTENT);
    ob.create(p, new byte[0]);
    expect(w, EventType.NODE_CREATED, p);
    ob.setData(p, bytes("x"), -1);
    expect(w, EventType.NODE_DATA_CHANGED, p);
    ob.create(p + "/c", new byte[0]);
    expect(w, EventType.NODE_CHILDREN_CHANGED, p);
    ob.delete(p + "/c", -1);
    expect(w, EventType.NODE_CHILDREN_CHANGED, p);
    ob.delete(p, -1);
    expect(w, EventType.NODE_DELETED, p);
  }

  @Test
  void recursiveWatchHearsDescendantsButNoChildrenEvents() throws Exception {
    String p = uniquePath("rec");
    b.create(p, new byte[0]);
    RecordingWatcher w = new RecordingWatcher();
    b.addWatch(p, w, AddWatchMode.PERSISTENT_RECURSIVE);
    ob.create(p + "/a", new byte[0]);
    expect(w, EventType.NODE_CREATED, p + "/a");
    ob.create(p + "/a/b", new byte[0]);
    expect(w, EventType.NODE_CREATED, p + "/a/b");
    ob.setData(p + "/a/b", bytes("x"), -1);
    expect(w, EventType.NODE_DATA_CHANGED, p + "/a/b");
    ob.delete(p + "/a/b", -1);
    expect(w, EventType.NODE_DELETED, p + "/a/b");
  }

  @Test
  void removeWatchesTellsTheWatcherAndStopsEvents() throws Exception {
    String p = uniquePath("rm");
    b.create(p, new byte[0]);
    RecordingWatcher w = new RecordingWatcher();
    RecordingWatcher sentinel = new RecordingWatcher();
    b.getData(p, w);
    b.removeWatches(p, w, WatcherType.DATA);
    expect(w, EventType.DATA_WATCH_REMOVED, p);
    b.addWatch(p, sentinel, AddWatchMode.PERSISTENT);
    ob.setData(p, bytes("x"), -1);
    expect(sentinel, EventType.NODE_DATA_CHANGED, p);
    assertEquals(0, w.pending());

    b.removeAllWatches(p, WatcherType.PERSISTENT);
    expect(sentinel, EventType.PERSISTENT_WATCH_REMOVED, p);
    assertThrows(NoWatcherException.class, () -> b.removeWatches(p, w, WatcherType.DATA));
  }

  @Test
  void oneWatcherOnTwoKindsHearsOneEvent() throws Exception {
    String p = uniquePath("dedupe");
    b.create(p, new byte[0]);
    RecordingWatcher w = new RecordingWatcher();
    RecordingWatcher sentinel = new RecordingWatcher();
    b.getData(p, w);
    b.getChildren(p, w);
    b.exists(p, sentinel);
    ob.delete(p, -1);
    expect(sentinel, EventType.NODE_DELETED, p);
    expect(w, EventType.NODE_DELETED, p);
    assertTrue(w.pending() == 0, "ZooKeeper delivers a watcher object once per event");
  }
}
