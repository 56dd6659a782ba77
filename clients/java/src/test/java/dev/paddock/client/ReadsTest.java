package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** getAllChildrenNumber, getEphemerals (this session's only) and multiRead (each read alone). */
class ReadsTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  @Test
  void descendantsEphemeralsAndMultiRead() throws Exception {
    String r = uniquePath("reads");
    try (PaddockClient c = Clients.connect(SERVER.address());
        PaddockClient other = Clients.connect(SERVER.address())) {
      BlockingClient b = c.blocking();
      b.create(r, new byte[0]);
      b.create(r + "/a", bytes("A"));
      b.create(r + "/a/b", new byte[0]);
      b.create(r + "/a/e1", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      b.create(r + "/e2", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      other.blocking().create(r + "/theirs", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
      assertEquals(5, b.getAllChildrenNumber(r));
      assertThrows(
          PaddockException.NoNodeException.class, () -> b.getAllChildrenNumber(r + "/missing"));
      assertEquals(Set.of(r + "/a/e1", r + "/e2"), Set.copyOf(b.getEphemerals(r)));
      List<ReadResult> res =
          b.multiRead(
              ReadOp.getData(r + "/a"), ReadOp.getChildren(r + "/a"), ReadOp.getData(r + "/missing"));
      assertEquals(3, res.size());
      ReadResult.DataRead data = assertInstanceOf(ReadResult.DataRead.class, res.get(0));
      assertArrayEquals(bytes("A"), data.data());
      assertEquals(2, data.stat().numChildren());
      ReadResult.ChildrenRead kids = assertInstanceOf(ReadResult.ChildrenRead.class, res.get(1));
      assertEquals(Set.of("b", "e1"), Set.copyOf(kids.children()));
      ReadResult.Failed failed = assertInstanceOf(ReadResult.Failed.class, res.get(2));
      assertInstanceOf(PaddockException.NoNodeException.class, failed.error());
    }
  }
}
