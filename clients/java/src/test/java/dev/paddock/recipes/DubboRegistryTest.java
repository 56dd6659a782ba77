package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockClient;
import dev.paddock.client.Stat;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DubboRegistryTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  @Test
  void namesAreEncodedAsDubboEncodesThem() {
    String url = "dubbo://10.0.0.5:20880/org.example.Greeter?application=node&methods=hi,bye é~!'()* x";
    // The same string is pinned in test/unit/client/recipe-names.test.ts for the TypeScript client.
    assertEquals(
        "dubbo%3A%2F%2F10.0.0.5%3A20880%2Forg.example.Greeter%3Fapplication%3Dnode%26methods%3Dhi"
            + "%2Cbye+%C3%A9%7E%21%27%28%29*+x",
        DubboRegistry.encode(url));
  }

  @Test
  void providersAreEphemeralAndConsumersSeeThem() throws Exception {
    String root = uniquePath("dubbo");
    String url =
        "dubbo://10.0.0.5:20880/org.example.Greeter?application=java&methods=hi,bye&side=provider";
    try (PaddockClient consumer = Clients.connect(SERVER.address())) {
      PaddockClient provider = Clients.connect(SERVER.address());
      String path = new DubboRegistry(provider, root).register(url);
      assertEquals(root + "/org.example.Greeter/providers/" + DubboRegistry.encode(url), path);
      Stat st = consumer.blocking().exists(path);
      assertNotNull(st);
      assertEquals(provider.sessionId(), st.ephemeralOwner());
      DubboRegistry registry = new DubboRegistry(consumer, root);
      CountDownLatch changed = new CountDownLatch(1);
      assertEquals(
          List.of(url), registry.lookup("org.example.Greeter", "providers", e -> changed.countDown()));
      registry.register("consumer://10.0.0.6/org.example.Greeter?category=consumers&side=consumer");
      assertEquals(1, registry.lookup("org.example.Greeter", "consumers", null).size());
      String config = "override://0.0.0.0/org.example.Greeter?category=configurators&dynamic=false";
      String configPath = registry.register(config);
      assertTrue(configPath.startsWith(root + "/org.example.Greeter/configurators/"));
      assertEquals(0, consumer.blocking().exists(configPath).ephemeralOwner());
      provider.close(); // its provider node goes with the session
      assertTrue(changed.await(30, TimeUnit.SECONDS));
      assertEquals(List.of(), registry.lookup("org.example.Greeter", "providers", null));
      registry.unregister(config);
      assertEquals(List.of(), registry.lookup("org.example.Greeter", "configurators", null));
      assertThrows(
          IllegalArgumentException.class, () -> registry.lookup("org.example.Greeter", "nope", null));
    }
  }
}
