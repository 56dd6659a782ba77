package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.paddock.client.DataResult;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DiscoveryTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  @Test
  void instancesAreEphemeralXDiscoveryJson() throws Exception {
    String base = uniquePath("services");
    PaddockClient a = Clients.connect(SERVER.address());
    try (PaddockClient b = Clients.connect(SERVER.address())) {
      ServiceDiscovery da = new ServiceDiscovery(a, base);
      ServiceDiscovery db = new ServiceDiscovery(b, base);
      da.register(ServiceInstance.of("api", "i1", "10.0.0.1", 8080));
      da.register(ServiceInstance.of("api", "i2", "10.0.0.1", 8080));
      PaddockException twice =
          assertThrows(
              PaddockException.NodeExistsException.class,
              () -> da.register(ServiceInstance.of("api", "i1", "10.0.0.1", 8080)));
      assertTrue(twice.getMessage().contains("instance i1 of api is already registered"));
      DataResult raw = b.blocking().getData(base + "/api/i1");
      assertEquals(a.sessionId(), raw.stat().ephemeralOwner());
      JsonObject o = JsonParser.parseString(raw.dataAsString()).getAsJsonObject();
      assertEquals(
          Set.of(
              "name", "id", "address", "port", "sslPort", "payload", "registrationTimeUTC",
              "serviceType", "uriSpec", "enabled"),
          o.keySet());
      assertEquals("10.0.0.1", o.get("address").getAsString());
      assertEquals(8080, o.get("port").getAsInt());
      assertTrue(o.get("sslPort").isJsonNull() && o.get("payload").isJsonNull());
      assertEquals("DYNAMIC", o.get("serviceType").getAsString());
      assertEquals(List.of("api"), db.queryForNames());
      assertEquals(
          List.of("i1", "i2"), db.queryForInstances("api").stream().map(ServiceInstance::id).toList());
      try (ServiceProvider provider = db.provider("api").start()) {
        assertNotEquals(provider.getInstance().id(), provider.getInstance().id());
        a.close(); // the instances go with the session
        assertEquals(List.of(), db.queryForInstances("api"));
        // The provider's cache follows the children watch.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!provider.instances().isEmpty()) {
          assertTrue(System.nanoTime() < deadline, "the provider's cache kept the instances");
          Thread.sleep(10);
        }
        assertThrows(PaddockException.NoNodeException.class, provider::getInstance);
      }
    }
  }

  @Test
  void groupMembersSeeJoinsAndLeaves() throws Exception {
    String group = uniquePath("group");
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      GroupMember ma = new GroupMember(a, group, "a", "pa".getBytes(StandardCharsets.UTF_8));
      GroupMember mb = new GroupMember(b, group, "b", "pb".getBytes(StandardCharsets.UTF_8));
      ma.join();
      assertTrue(ma.fencingToken() > 0);
      CountDownLatch changed = new CountDownLatch(1);
      assertEquals(Set.of("a"), ma.members(e -> changed.countDown()).keySet());
      mb.join();
      assertTrue(changed.await(10, TimeUnit.SECONDS));
      assertArrayEquals("pb".getBytes(StandardCharsets.UTF_8), ma.members(null).get("b"));
      assertThrows(
          PaddockException.NodeExistsException.class,
          () -> new GroupMember(b, group, "a", new byte[0]).join());
      mb.leave();
      assertEquals(Set.of("a"), ma.members(null).keySet());
    }
  }
}
