package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import dev.paddock.client.Watcher;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Dubbo's ZooKeeper registry layout (interface level), as the TypeScript DubboRegistry: a URL is
 * registered as {@code <root>/<encoded interface>/<category>/<encoded URL>}; providers and
 * consumers are ephemeral unless the URL says {@code dynamic=false}. Names are encoded with
 * {@link URLEncoder} (UTF-8), as Dubbo does, so Dubbo finds what is registered here.
 */
public final class DubboRegistry {
  public static final List<String> CATEGORIES =
      List.of("providers", "consumers", "configurators", "routers");

  private final PaddockClient client;
  private final String root;

  /** {@code root} is {@code /dubbo} for Dubbo's default. */
  public DubboRegistry(PaddockClient client, String root) {
    this.client = client;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** The interface and category of a Dubbo URL, as Dubbo's ZookeeperRegistry derives them. */
  public static String[] place(String url) {
    URI uri = URI.create(url.replace(" ", "%20"));
    String service = param(uri, "interface");
    if (service == null || service.isEmpty()) {
      String p = uri.getPath() == null ? "" : uri.getPath();
      service = p.startsWith("/") ? p.substring(1) : p;
    }
    if (service.isEmpty()) {
      throw new IllegalArgumentException("Dubbo URL " + url + " names no interface");
    }
    String category = param(uri, "category");
    if (category == null || !CATEGORIES.contains(category)) {
      category = "consumer".equals(uri.getScheme()) ? "consumers" : "providers";
    }
    return new String[] {service, category};
  }

  public String pathOf(String url) {
    String[] place = place(url);
    return root + "/" + encode(place[0]) + "/" + place[1] + "/" + encode(url);
  }

  /** Registers a URL: ephemeral unless it says {@code dynamic=false} (Dubbo's rule). */
  public String register(String url) throws PaddockException, InterruptedException {
    String path = pathOf(url);
    boolean dynamic = !"false".equals(param(URI.create(url.replace(" ", "%20")), "dynamic"));
    BlockingClient b = client.blocking();
    Paths.ensure(b, path.substring(0, path.lastIndexOf('/')));
    try {
      b.create(path, new byte[0], Paths.OPEN, dynamic ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT);
    } catch (NodeExistsException e) {
      // registered already
    }
    return path;
  }

  public void unregister(String url) throws PaddockException, InterruptedException {
    try {
      client.blocking().delete(pathOf(url), -1);
    } catch (NoNodeException e) {
      // gone already
    }
  }

  /**
   * The decoded URLs of one interface's category, sorted; {@code watcher} (may be null) fires on
   * the next change, or on the category's creation when it does not exist yet.
   */
  public List<String> lookup(String service, String category, Watcher watcher)
      throws PaddockException, InterruptedException {
    if (!CATEGORIES.contains(category)) {
      throw new IllegalArgumentException(
          "Dubbo category " + category + " is not one of " + CATEGORIES);
    }
    String path = root + "/" + encode(service) + "/" + category;
    BlockingClient b = client.blocking();
    while (true) {
      try {
        List<String> urls = new ArrayList<>();
        for (String name : b.getChildren(path, watcher)) {
          urls.add(URLDecoder.decode(name, StandardCharsets.UTF_8));
        }
        Collections.sort(urls);
        return urls;
      } catch (NoNodeException e) {
        if (watcher == null || b.exists(path, watcher) == null) {
          return List.of();
        }
        // created meanwhile: list it
      }
    }
  }

  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String param(URI uri, String name) {
    String q = uri.getRawQuery();
    if (q == null) {
      return null;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
