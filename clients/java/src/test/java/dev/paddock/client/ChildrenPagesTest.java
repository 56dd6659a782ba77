package dev.paddock.client;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.BadArgumentsException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Paged and counted getChildren (a Paddock extension; ZooKeeper has none) on a real server. */
class ChildrenPagesTest {
  private static final int CHILDREN_MAX = 5000;

  @RegisterExtension
  static final PaddockServerExtension SERVER =
      new PaddockServerExtension("paddock.childrenPerReplyMax=" + CHILDREN_MAX);

  private static PaddockClient client;
  private static BlockingClient b;
  private static String big;
  /** The 10,000 even-numbered names created in {@link #connect}; odd numbers are free to add. */
  private static final List<String> INITIAL = new ArrayList<>();

  @BeforeAll
  static void connect() throws Exception {
    client = Clients.connect(SERVER.address());
    b = client.blocking();
    big = uniquePath("big");
    b.create(big, new byte[0]);
    for (int i = 0; i < 10_000; i++) {
      INITIAL.add(name(2 * i));
    }
    createAll(big);
  }

  /** INITIAL under parent, a thousand a multi. */
  private static void createAll(String parent) throws Exception {
    for (int i = 0; i < INITIAL.size(); i += 1000) {
      List<Op> ops = new ArrayList<>();
      for (String n : INITIAL.subList(i, i + 1000)) {
        ops.add(Op.create(parent + "/" + n, new byte[0]));
      }
      b.multi(ops);
    }
  }

  @AfterAll
  static void close() throws Exception {
    client.close();
  }

  private static String name(int n) {
    return String.format("c%06d", n);
  }

  private static int number(String name) {
    return Integer.parseInt(name.substring(1));
  }

  @Test
  void listsTenThousandChildrenExactlyWhileChildrenComeAndGoBetweenPages() throws Exception {
    String p = uniquePath("moving");
    b.create(p, new byte[0]);
    createAll(p);
    TreeSet<String> expected = new TreeSet<>(INITIAL);
    List<String> seen = new ArrayList<>();
    int pageSize = 700;
    int boundaries = 0;
    Iterator<String> it = b.listChildren(p, PageOptions.defaults().pageSize(pageSize)).iterator();
    while (it.hasNext()) {
      seen.add(it.next());
      // The iterator reads the next page only when asked for the name after a page's last one.
      if (seen.size() % pageSize != 0) {
        continue;
      }
      boundaries++;
      int last = number(seen.get(seen.size() - 1));
      // Behind the cursor: a new child never appears; a deleted one was listed already.
      b.create(p + "/" + name(last - 1), new byte[0]);
      b.delete(p + "/" + name(last - 2), -1);
      // Ahead of it: a new child appears; a deleted one does not.
      b.create(p + "/" + name(last + 3), new byte[0]);
      expected.add(name(last + 3));
      b.delete(p + "/" + name(last + 4), -1);
      expected.remove(name(last + 4));
    }
    assertTrue(boundaries > 13, "pages turned: " + boundaries);
    assertEquals(seen.size(), new TreeSet<>(seen).size(), "no name twice");
    assertEquals(new ArrayList<>(expected), seen);
  }

  @Test
  void pagesContinueFromTheirTokenAndTheLastHasNone() throws Exception {
    ChildrenPage first = b.getChildrenPage(big, PageOptions.defaults().pageSize(100));
    assertEquals(INITIAL.subList(0, 100), first.children());
    assertEquals(10_000, first.stat().numChildren());
    assertTrue(first.hasNextPage());
    PageOptions after = PageOptions.defaults().pageSize(100).pageToken(first.nextPageToken());
    ChildrenPage second = b.getChildrenPage(big, after);
    assertEquals(INITIAL.subList(100, 200), second.children());
    // The listing starts after the token it is given.
    List<String> rest = new ArrayList<>();
    b.listChildren(big, PageOptions.defaults().pageToken(first.nextPageToken())).forEach(rest::add);
    assertEquals(INITIAL.subList(100, INITIAL.size()), rest);
    ChildrenPage tail =
        b.getChildrenPage(big, PageOptions.defaults().prefix(name(19_998)).pageSize(10));
    assertEquals(List.of(name(19_998)), tail.children());
    assertNull(tail.nextPageToken());
    assertFalse(tail.hasNextPage());
  }

  @Test
  void anUnpagedListOverTheLimitIsRefusedAndTheListingReadsItAll() throws Exception {
    BadArgumentsException e = assertThrows(BadArgumentsException.class, () -> b.getChildren(big));
    assertTrue(e.getMessage().contains("childrenPerReplyMax " + CHILDREN_MAX), e.getMessage());
    // pageSize 0: the server's limit, so two pages.
    assertEquals(INITIAL, b.listChildren(big).stream().toList());
  }

  @Test
  void prefixAndCount() throws Exception {
    assertEquals(10_000, b.countChildren(big));
    assertEquals(10_000, (int) client.countChildren(big, null).get());
    List<String> tens =
        b.listChildren(big, PageOptions.defaults().prefix("c0001").pageSize(7)).stream().toList();
    List<String> want = INITIAL.stream().filter(n -> n.startsWith("c0001")).toList();
    assertEquals(50, want.size());
    assertEquals(want, tens);
    assertEquals(50, b.countChildren(big, "c0001"));
    assertEquals(0, b.countChildren(big, "zzz"));
    assertFalse(b.listChildren(big, PageOptions.defaults().prefix("zzz")).iterator().hasNext());
    String empty = uniquePath("empty");
    b.create(empty, new byte[0]);
    assertEquals(0, b.countChildren(empty));
  }

  @Test
  void badTokensSizesAndPathsAreNamed() throws Exception {
    BadArgumentsException token =
        assertThrows(
            BadArgumentsException.class,
            () -> b.getChildrenPage(big, PageOptions.defaults().pageToken("not-a-token")));
    assertEquals(big, token.path());
    assertTrue(
        token.getMessage().contains("page_token \"not-a-token\" for " + big + " is not a token"),
        token.getMessage());
    // Through the iterator, the same error as the cause of an unchecked one.
    Iterator<String> it =
        b.listChildren(big, PageOptions.defaults().pageToken("not-a-token")).iterator();
    UncheckedPaddockException unchecked =
        assertThrows(UncheckedPaddockException.class, it::hasNext);
    assertInstanceOf(BadArgumentsException.class, unchecked.getCause());
    BadArgumentsException size =
        assertThrows(
            BadArgumentsException.class,
            () -> b.getChildrenPage(big, PageOptions.defaults().pageSize(CHILDREN_MAX + 1)));
    assertTrue(
        size.getMessage().contains("page_size " + (CHILDREN_MAX + 1) + " for " + big),
        size.getMessage());
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> PageOptions.defaults().pageSize(-3));
    assertTrue(negative.getMessage().contains("pageSize -3"), negative.getMessage());
    String missing = uniquePath("missing");
    NoNodeException none =
        assertThrows(
            NoNodeException.class, () -> b.getChildrenPage(missing, PageOptions.defaults()));
    assertEquals(missing, none.path());
    assertThrows(NoNodeException.class, () -> b.countChildren(missing));
  }
}
