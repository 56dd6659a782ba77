package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.NoAuthException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DataService/GetDataChunks (a Paddock extension) through the Java client, on a real server. */
class DataChunksTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  /** Near the 1 MiB request limit (jute.maxbuffer 0xfffff, path and framing included). */
  private static final int SIZE = 1_040_000;
  /** Does not divide SIZE: ten full pieces and a shorter last one. */
  private static final int CHUNK = 100_003;

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

  private static byte[] randomValue(long seed) {
    byte[] value = new byte[SIZE];
    new Random(seed).nextBytes(value);
    return value;
  }

  @Test
  void aValueNearOneMebibyteComesInContiguousPiecesThatJoinToIt() throws Exception {
    String p = uniquePath("big");
    byte[] value = randomValue(1);
    b.create(p, value);
    Stat stat = b.exists(p);
    List<DataChunk> pieces = new ArrayList<>();
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    try (DataChunks chunks = client.getDataChunks(p, CHUNK)) {
      for (DataChunk c : chunks) {
        pieces.add(c);
        joined.write(c.data());
      }
    }
    assertEquals(SIZE / CHUNK + 1, pieces.size());
    for (int i = 0; i < pieces.size(); i++) {
      DataChunk c = pieces.get(i);
      assertEquals((long) i * CHUNK, c.offset());
      assertEquals(i == pieces.size() - 1, c.last());
      assertEquals(i == 0, c.stat() != null);
      assertEquals(c.last() ? SIZE % CHUNK : CHUNK, c.data().length);
    }
    assertEquals(stat, pieces.get(0).stat());
    assertArrayEquals(value, joined.toByteArray());
    DataResult whole = b.getDataChunked(p, CHUNK, true);
    assertArrayEquals(value, whole.data());
    assertEquals(stat, whole.stat());
    // Chunk size 0 is the server's 65536.
    int defaults = 0;
    try (DataChunks chunks = client.getDataChunks(p, 0)) {
      for (DataChunk c : chunks) {
        assertTrue(c.data().length <= 65_536);
        defaults++;
      }
    }
    assertEquals((SIZE + 65_535) / 65_536, defaults);
  }

  @Test
  void everyPieceComesFromTheVersionTheFirstOneNamed() throws Exception {
    String p = uniquePath("versioned");
    byte[] before = randomValue(2);
    b.create(p, before);
    try (DataChunks chunks = client.getDataChunks(p, CHUNK)) {
      Iterator<DataChunk> it = chunks.iterator();
      DataChunk first = it.next();
      assertEquals(0, first.stat().version());
      // A write between the pieces does not reach the rest of this read.
      assertEquals(1, b.setData(p, randomValue(3), -1).version());
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      joined.write(first.data());
      while (it.hasNext()) {
        joined.write(it.next().data());
      }
      assertArrayEquals(before, joined.toByteArray());
    }
    assertEquals(1, b.getDataChunked(p, CHUNK).stat().version());
  }

  @Test
  void anEmptyValueIsOneLastPieceWithItsStat() throws Exception {
    String p = uniquePath("empty");
    b.create(p, new byte[0]);
    try (DataChunks chunks = client.getDataChunks(p, CHUNK)) {
      Iterator<DataChunk> it = chunks.iterator();
      DataChunk only = it.next();
      assertTrue(only.last());
      assertEquals(0, only.data().length);
      assertNotNull(only.stat());
      assertFalse(it.hasNext());
      assertThrows(IllegalStateException.class, chunks::iterator);
    }
  }

  @Test
  void errorsNameThePathAndTheSessionsCredentialsApply() throws Exception {
    String missing = uniquePath("missing");
    NoNodeException none = assertThrows(NoNodeException.class, () -> b.getDataChunked(missing, 0));
    assertEquals(missing, none.path());
    try (DataChunks chunks = client.getDataChunks(missing, 0)) {
      UncheckedPaddockException e =
          assertThrows(UncheckedPaddockException.class, () -> chunks.iterator().hasNext());
      assertInstanceOf(NoNodeException.class, e.getCause());
    }
    IllegalArgumentException big =
        assertThrows(IllegalArgumentException.class, () -> client.getDataChunks(missing, 1 << 21));
    assertTrue(big.getMessage().contains("chunkBytes 2097152 for " + missing), big.getMessage());
    // Readable only by the digest user that created it: that session's credentials ride along.
    String secret = uniquePath("secret");
    try (PaddockClient alice = Clients.connect(SERVER.address())) {
      alice.blocking().addAuth("digest", bytes("alice:pw"));
      List<Acl> creatorOnly = List.of(new Acl(Perms.ALL, "auth", ""));
      alice.blocking().create(secret, bytes("s"), creatorOnly, CreateMode.PERSISTENT);
      assertEquals("s", alice.blocking().getDataChunked(secret, 0).dataAsString());
    }
    NoAuthException refused =
        assertThrows(NoAuthException.class, () -> b.getDataChunked(secret, 0));
    assertEquals(secret, refused.path());
    assertNull(refused.results());
  }
}
