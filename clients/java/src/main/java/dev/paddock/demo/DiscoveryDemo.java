package dev.paddock.demo;

import com.google.gson.Gson;
import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.recipes.DubboApplications;
import dev.paddock.recipes.DubboInstance;
import dev.paddock.recipes.DubboRegistry;
import dev.paddock.recipes.ServiceDiscovery;
import dev.paddock.recipes.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers a service instance in Curator x-discovery's layout ({@code --mode register}: prints
 * "REGISTERED ID", keeps it until stdin closes, then unregisters) or prints every instance of a
 * service as one JSON line each ({@code --mode find}), for cross-language discovery tests. {@code
 * --mode dubbo-register} and {@code dubbo-find} do the same in Dubbo 3's application-level layout:
 * the service is an interface, the id the application's name, and dubbo-find prints app, id,
 * address, port and metadata. {@code dubbo-url-register} registers {@code
 * dubbo://ADDRESS:PORT/SERVICE?application=ID&interface=SERVICE&side=provider} in Dubbo's
 * interface-level layout; {@code dubbo-url-find} prints the interface's provider URLs.
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
    List<String> modes =
        List.of(
            "register", "find", "dubbo-register", "dubbo-find", "dubbo-url-register", "dubbo-url-find");
    if (!modes.contains(mode)) {
      usage("--mode " + mode + ": want one of " + modes);
    }
    int code = 0;
    try (PaddockClient client =
        PaddockClient.connect(
            opts.get("server"), ClientOptions.builder().sessionTimeoutMs(10_000).build())) {
      ServiceDiscovery discovery = new ServiceDiscovery(client, opts.get("base"));
      String service = opts.get("service");
      if (mode.startsWith("dubbo-url-")) {
        dubboUrl(new DubboRegistry(client, "/dubbo"), mode, opts);
      } else if (mode.startsWith("dubbo-")) {
        dubbo(new DubboApplications(client, opts.get("base"), "/dubbo/mapping"), mode, opts);
      } else if ("register".equals(mode)) {
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

  private static void dubbo(DubboApplications apps, String mode, Map<String, String> opts)
      throws Exception {
    String app = opts.get("id");
    if ("dubbo-register".equals(mode)) {
      DubboInstance mine =
          apps.register(
              app,
              null,
              opts.get("address"),
              Integer.parseInt(opts.get("port")),
              Map.of(),
              opts.get("service"));
      System.out.println("REGISTERED " + app);
      System.out.flush();
      System.in.readAllBytes(); // registered until the caller closes stdin
      apps.unregister(mine.app(), mine.id());
      return;
    }
    Gson gson = new Gson();
    for (DubboInstance i : apps.providersOf(opts.get("service"))) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("app", i.app());
      line.put("id", i.id());
      line.put("address", i.address());
      line.put("port", i.port());
      line.put("metadata", i.metadata());
      System.out.println(gson.toJson(line));
    }
    System.out.flush();
  }

  private static void dubboUrl(DubboRegistry registry, String mode, Map<String, String> opts)
      throws Exception {
    String service = opts.get("service");
    if ("dubbo-url-find".equals(mode)) {
      for (String url : registry.lookup(service, "providers", null)) {
        System.out.println(url);
      }
      System.out.flush();
      return;
    }
    String url =
        "dubbo://" + opts.get("address") + ":" + opts.get("port") + "/" + service
            + "?application=" + opts.get("id") + "&interface=" + service + "&side=provider";
    registry.register(url);
    System.out.println("REGISTERED " + opts.get("id"));
    System.out.flush();
    System.in.readAllBytes(); // registered until the caller closes stdin
    registry.unregister(url);
  }

  private static void usage(String why) {
    System.err.println(why);
    System.err.println(
        "usage: DiscoveryDemo --server H:P --base /services --service NAME"
            + " --mode register|find|dubbo-register|dubbo-find|dubbo-url-register|dubbo-url-find"
            + " [--id ID --address A --port P]");
    System.exit(2);
  }
}
