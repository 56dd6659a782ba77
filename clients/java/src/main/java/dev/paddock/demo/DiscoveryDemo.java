package dev.paddock.demo;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.recipes.ServiceDiscovery;
import dev.paddock.recipes.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Registers a service instance in Curator x-discovery's layout ({@code --mode register}: prints
 * "REGISTERED ID", keeps it until stdin closes, then unregisters) or prints every instance of a
 * service as one JSON line each ({@code --mode find}), for cross-language discovery tests.
 *
 * <pre>DiscoveryDemo --server H:P --base /services --service NAME --mode register|find
 *     [--id ID --address A --port P]</pre>
 */
public final class DiscoveryDemo {
  private DiscoveryDemo() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>(Map.of("base", "/services", "mode", "find"));
    opts.putAll(Map.of("id", "java-1", "address", "127.0.0.1", "port", "8080"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        usage("unexpected argument " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    String mode = opts.get("mode");
    if (args.length % 2 != 0 || !opts.containsKey("server") || !opts.containsKey("service")) {
      usage("--server and --service are required, each option with a value");
    }
    if (!"register".equals(mode) && !"find".equals(mode)) {
      usage("--mode " + mode + ": want register or find");
    }
    int code = 0;
    try (PaddockClient client =
        PaddockClient.connect(
            opts.get("server"), ClientOptions.builder().sessionTimeoutMs(10_000).build())) {
      ServiceDiscovery discovery = new ServiceDiscovery(client, opts.get("base"));
      String service = opts.get("service");
      if ("register".equals(mode)) {
        String id = opts.get("id");
        discovery.register(
            ServiceInstance.of(service, id, opts.get("address"), Integer.parseInt(opts.get("port"))));
        System.out.println("REGISTERED " + id);
        System.out.flush();
        System.in.readAllBytes(); // registered until the caller closes stdin
        discovery.unregister(service, id);
      } else {
        for (ServiceInstance instance : discovery.queryForInstances(service)) {
          System.out.println(new String(ServiceDiscovery.toJson(instance), StandardCharsets.UTF_8));
        }
        System.out.flush();
      }
    } catch (Exception e) {
      System.err.println("DiscoveryDemo failed: " + e);
      code = 1;
    }
    System.exit(code);
  }

  private static void usage(String why) {
    System.err.println(why);
    System.err.println(
        "usage: DiscoveryDemo --server H:P --base /services --service NAME --mode register|find"
            + " [--id ID --address A --port P]");
    System.exit(2);
  }
}
