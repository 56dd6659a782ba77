package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Error texts say the code and the path once (the server's message starts with both). */
class ErrorTextTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  @Test
  void aRealBadVersionSaysEachFactOnce() throws Exception {
    String p = uniquePath("config");
    try (PaddockClient c = Clients.connect(SERVER.address())) {
      c.blocking().create(p, bytes("0"));
      c.blocking().setData(p, bytes("1"), 0);
      PaddockException e =
          assertThrows(
              PaddockException.BadVersionException.class,
              () -> c.blocking().setData(p, bytes("2"), 0));
      assertEquals("BAD_VERSION for " + p + ": expected 0, is 1", e.getMessage());
    }
  }

  @Test
  void onlyTheServersOwnHeadIsDropped() {
    assertEquals(
        "NO_NODE for /a", new PaddockException(ErrorCode.NO_NODE, "/a", "NoNode for /a").getMessage());
    assertEquals(
        "CONNECTION_LOSS",
        new PaddockException(ErrorCode.CONNECTION_LOSS, "", "ConnectionLoss").getMessage());
    assertEquals(
        "NO_NODE for /a: NoNode for /b",
        new PaddockException(ErrorCode.NO_NODE, "/a", "NoNode for /b").getMessage());
    assertEquals(
        "NOT_EMPTY for /a: 2 children",
        new PaddockException(ErrorCode.NOT_EMPTY, "/a", "NotEmpty for /a: 2 children").getMessage());
  }
}
