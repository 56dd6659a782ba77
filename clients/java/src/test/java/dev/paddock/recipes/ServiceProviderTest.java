package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.recipes.ServiceProvider.Strategy;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import dev.paddock.testing.TcpProxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cached ServiceProvider against a real server: strategies, watch-driven joins and leaves. */
class ServiceProviderTest {
  @RegisterExtension
  static final PaddockServerExtension SERVER =
      new PaddockServerExtension("tickTime=200", "minSessionTimeout=400");

  private static void poll(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  private static List<String> ids(ServiceProvider p) {
    return p.instances().stream().map(ServiceInstance::id).toList();
  }

  @Test
  void strategiesOverACacheThatFollowsTheService() throws Exception {
    String base = uniquePath("providers");
    try (PaddockClient a = Clients.connect(SERVER.address());
        PaddockClient b = Clients.connect(SERVER.address())) {
      ServiceDiscovery reg = new ServiceDiscovery(a, base);
      ServiceDiscovery found = new ServiceDiscovery(b, base);
      // Started before the service exists: the providers wait for it to appear.
      try (ServiceProvider rr = found.provider("api", Strategy.ROUND_ROBIN).start();
          ServiceProvider random = found.provider("api", Strategy.RANDOM).start();
          ServiceProvider sticky = found.provider("api", Strategy.STICKY).start()) {
        for (String id : List.of("i1", "i2", "i3")) {
          reg.register(ServiceInstance.of("api", id, "10.0.0.1", 8080));
        }
        for (ServiceProvider p : List.of(rr, random, sticky)) {
          poll("three cached instances", () -> p.instances().size() == 3);
        }
        List<String> turns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          turns.add(rr.getInstance().id());
        }
        assertEquals(List.of("i1", "i2", "i3", "i1", "i2", "i3"), turns);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
          seen.add(random.getInstance().id());
        }
        assertTrue(Set.of("i1", "i2", "i3").containsAll(seen), seen.toString());
        String first = sticky.getInstance().id();
        for (int i = 0; i < 5; i++) {
          assertEquals(first, sticky.getInstance().id(), "sticky moved while registered");
        }
        reg.unregister("api", first);
        poll("the sticky instance to leave the cache", () -> sticky.instances().size() == 2);
        String moved = sticky.getInstance().id();
        assertNotEquals(first, moved);
        assertEquals(moved, sticky.getInstance().id());
        reg.register(ServiceInstance.of("api", "i4", "10.0.0.4", 8080));
        poll("i4 in the cache", () -> ids(rr).contains("i4"));
      }
    }
  }

  @Test
  void changesWhileCutOffReachTheCacheAfterTheReconnect() throws Exception {
    String base = uniquePath("providers-cut");
    try (TcpProxy proxy = new TcpProxy(SERVER.server().port());
        PaddockClient cut =
            PaddockClient.connect(
                proxy.address(),
                ClientOptions.builder().sessionTimeoutMs(10_000).reconnectBackoffMs(20, 200).build());
        PaddockClient other = Clients.connect(SERVER.address())) {
      ServiceDiscovery reg = new ServiceDiscovery(other, base);
      reg.register(ServiceInstance.of("api", "old", "10.0.0.1", 1));
      try (ServiceProvider provider = new ServiceDiscovery(cut, base).provider("api").start()) {
        assertEquals(List.of("old"), ids(provider));
        proxy.partition();
        reg.unregister("api", "old");
        reg.register(ServiceInstance.of("api", "new", "10.0.0.2", 2));
        proxy.heal();
        poll("the new instance", () -> ids(provider).equals(List.of("new")));
      }
    }
  }
}
