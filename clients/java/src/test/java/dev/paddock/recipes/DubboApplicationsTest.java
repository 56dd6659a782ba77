package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.paddock.client.DataResult;
import dev.paddock.client.PaddockClient;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dubbo 3's application-level layout against a real server, as the TypeScript recipe writes it. */
class DubboApplicationsTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();
  private static final String IFACE = "org.example.Greeter";

  @Test
  void instancesAreEphemeralAndTheMappingKeepsEveryApplication() throws Exception {
    String root = uniquePath("dubbo-apps");
    List<PaddockClient> providers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (PaddockClient reader = Clients.connect(SERVER.address())) {
      List<Future<DubboInstance>> registered = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        PaddockClient c = Clients.connect(SERVER.address());
        providers.add(c);
        DubboApplications apps = new DubboApplications(c, root + "/services", root + "/mapping");
        int n = i;
        registered.add(
            pool.submit(
                () -> apps.register("app-" + n, null, "10.0.0.5", 20880 + n, Map.of(), IFACE)));
      }
      for (Future<DubboInstance> f : registered) {
        f.get();
      }
      DubboApplications view = new DubboApplications(reader, root + "/services", root + "/mapping");
      assertEquals(
          List.of("app-0", "app-1", "app-2", "app-3"),
          view.applicationsOf(IFACE).stream().sorted().toList());
      DubboInstance found = view.instances("app-2").get(0);
      assertEquals("10.0.0.5:20882", found.id());
      // The revision is the MD5 of "app|port|protocol|interfaces" in every client (this one
      // computed with Node's crypto for this registration).
      String revision = "419c072ffe58b54ae3e544ec11aceca2";
      assertEquals(
          Map.of(
              "dubbo.endpoints", "[{\"port\":20882,\"protocol\":\"dubbo\"}]",
              "dubbo.metadata.revision", revision,
              "dubbo.metadata.storage-type", "remote"),
          found.metadata());
      byte[] report = reader.blocking().getData(root + "/metadata/app-2/" + revision).data();
      assertEquals(
          20882,
          JsonParser.parseString(new String(report, StandardCharsets.UTF_8))
              .getAsJsonObject()
              .getAsJsonObject("services")
              .getAsJsonObject(IFACE + ":dubbo")
              .get("port")
              .getAsInt());
      DataResult node = reader.blocking().getData(root + "/services/app-2/10.0.0.5:20882");
      assertEquals(providers.get(2).sessionId(), node.stat().ephemeralOwner());
      assertEquals(
          "org.apache.dubbo.registry.zookeeper.ZookeeperInstance",
          JsonParser.parseString(new String(node.data(), StandardCharsets.UTF_8))
              .getAsJsonObject()
              .getAsJsonObject("payload")
              .get("@class")
              .getAsString());
      providers.get(2).close(); // its instance goes with its session
      assertEquals(
          List.of("app-0", "app-1", "app-3"),
          view.providersOf(IFACE).stream().map(DubboInstance::app).sorted().toList());
      IllegalArgumentException bad =
          assertThrows(IllegalArgumentException.class, () -> view.instances("a/b"));
      assertTrue(bad.getMessage().contains("'a/b'"), bad.getMessage());
    } finally {
      pool.shutdownNow();
      for (PaddockClient c : providers) {
        c.close();
      }
    }
  }
}
