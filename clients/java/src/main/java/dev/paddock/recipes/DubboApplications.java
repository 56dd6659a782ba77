package dev.paddock.recipes;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.DataResult;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.BadVersionException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dubbo 3's application-level discovery layout, as the TypeScript DubboApplications: an instance
 * is {@code <services>/<app>/<id>} (ephemeral) holding Curator x-discovery ServiceInstance JSON
 * whose payload is Dubbo's ZookeeperInstance (id, name, metadata), and {@code
 * <mapping>/<interface>} (persistent, the interface name as is) holds the comma-separated
 * applications that provide the interface, as a Dubbo 3.3 provider writes them. Registering with
 * interfaces also writes the application's MetadataInfo to Dubbo's metadata report ({@code
 * /dubbo/metadata/<app>/<revision>}, the instance saying {@code
 * dubbo.metadata.storage-type=remote}), which a Dubbo 3 consumer reads to build the URLs it calls.
 * Blocking: do not call from a Watcher.
 */
public final class DubboApplications {
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();
  private static final String INSTANCE_CLASS =
      "org.apache.dubbo.registry.zookeeper.ZookeeperInstance";

  private final PaddockClient client;
  private final String services;
  private final String mapping;
  private final String metadata;

  /** Dubbo's defaults: {@code /services} and {@code /dubbo/mapping}. */
  public DubboApplications(PaddockClient client) {
    this(client, "/services", "/dubbo/mapping");
  }

  public DubboApplications(PaddockClient client, String services, String mapping) {
    this.client = client;
    this.services = trim(services);
    this.mapping = trim(mapping);
    // The metadata report sits beside the mapping ("/dubbo/mapping" -> "/dubbo/metadata").
    this.metadata = this.mapping.substring(0, this.mapping.lastIndexOf('/') + 1) + "metadata";
  }

  /**
   * Creates the instance's ephemeral node ({@code id} may be null for {@code <address>:<port>};
   * the metadata gains {@code dubbo.endpoints}) and maps each interface to its application.
   */
  public DubboInstance register(
      String app,
      String id,
      String address,
      int port,
      Map<String, String> metadata,
      String... interfaces)
      throws PaddockException, InterruptedException {
    String instanceId = id == null ? address + ":" + port : id;
    String path = instancePath(app) + "/" + segment("instance", instanceId);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("dubbo.endpoints", "[{\"port\":" + port + ",\"protocol\":\"dubbo\"}]");
    if (interfaces.length > 0) {
      meta.put("dubbo.metadata.revision", publishMetadata(app, port, interfaces));
      meta.put("dubbo.metadata.storage-type", "remote");
    }
    meta.putAll(metadata);
    long now = System.currentTimeMillis();
    JsonObject payload = new JsonObject();
    payload.addProperty("@class", INSTANCE_CLASS);
    payload.addProperty("id", instanceId);
    payload.addProperty("name", app);
    payload.add("metadata", GSON.toJsonTree(meta));
    JsonObject o = new JsonObject();
    o.addProperty("name", app);
    o.addProperty("id", instanceId);
    o.addProperty("address", address);
    o.addProperty("port", port);
    o.add("sslPort", JsonNull.INSTANCE);
    o.add("payload", payload);
    o.addProperty("registrationTimeUTC", now);
    o.addProperty("serviceType", "DYNAMIC");
    o.add("uriSpec", JsonNull.INSTANCE);
    BlockingClient b = client.blocking();
    Paths.ensure(b, instancePath(app));
    byte[] json = GSON.toJson(o).getBytes(StandardCharsets.UTF_8);
    b.create(path, json, Paths.OPEN, CreateMode.EPHEMERAL);
    for (String iface : interfaces) {
      map(iface, app);
    }
    return new DubboInstance(app, instanceId, address, port, Map.copyOf(meta), now);
  }

  /**
   * Writes the application's MetadataInfo under its revision: the MD5 of {@code
   * app|port|protocol|sorted interfaces}, as every Paddock client makes it (Dubbo's consumers look
   * the revision up and do not recompute it).
   */
  private String publishMetadata(String app, int port, String[] interfaces)
      throws PaddockException, InterruptedException {
    List<String> sorted = Arrays.stream(interfaces).sorted().toList();
    JsonObject services = new JsonObject();
    for (String iface : sorted) {
      JsonObject params = new JsonObject();
      params.addProperty("side", "provider");
      params.addProperty("interface", iface);
      params.addProperty("application", app);
      params.addProperty("dubbo", "2.0.2");
      JsonObject service = new JsonObject();
      service.addProperty("name", iface);
      service.add("params", params);
      service.addProperty("path", iface);
      service.addProperty("port", port);
      service.addProperty("protocol", "dubbo");
      services.add(segment("interface", iface) + ":dubbo", service);
    }
    String revision = md5(app + "|" + port + "|dubbo|" + String.join(",", sorted));
    JsonObject info = new JsonObject();
    info.addProperty("app", app);
    info.addProperty("revision", revision);
    info.add("services", services);
    String base = metadata + "/" + segment("application", app);
    BlockingClient b = client.blocking();
    Paths.ensure(b, base);
    try {
      byte[] data = GSON.toJson(info).getBytes(StandardCharsets.UTF_8);
      b.create(base + "/" + revision, data, Paths.OPEN, CreateMode.PERSISTENT);
    } catch (NodeExistsException e) {
      // the same content under the same revision
    }
    return revision;
  }

  private static String md5(String text) {
    try {
      byte[] sum = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sum);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    }
  }

  public void unregister(String app, String id) throws PaddockException, InterruptedException {
    try {
      client.blocking().delete(instancePath(app) + "/" + segment("instance", id), -1);
    } catch (NoNodeException e) {
      // gone already
    }
  }

  /** Adds {@code app} to the interface's mapping: compare-and-set on the version, as Dubbo does. */
  public void map(String iface, String app) throws PaddockException, InterruptedException {
    String path = mappingPath(iface);
    segment("application", app);
    BlockingClient b = client.blocking();
    while (true) {
      DataResult current;
      try {
        current = b.getData(path);
      } catch (NoNodeException e) {
        Paths.ensure(b, mapping);
        try {
          b.create(path, app.getBytes(StandardCharsets.UTF_8), Paths.OPEN, CreateMode.PERSISTENT);
          return;
        } catch (NodeExistsException again) {
          continue; // created meanwhile: append to it
        }
      }
      List<String> apps = new ArrayList<>(split(current.data()));
      if (apps.contains(app)) {
        return;
      }
      apps.add(app);
      try {
        byte[] joined = String.join(",", apps).getBytes(StandardCharsets.UTF_8);
        b.setData(path, joined, current.stat().version());
        return;
      } catch (BadVersionException e) {
        // another writer came first: read again
      }
    }
  }

  public List<String> applicationsOf(String iface) throws PaddockException, InterruptedException {
    try {
      return split(client.blocking().getData(mappingPath(iface)).data());
    } catch (NoNodeException e) {
      return List.of();
    }
  }

  /** Every instance of an application, sorted by id. */
  public List<DubboInstance> instances(String app) throws PaddockException, InterruptedException {
    String base = instancePath(app);
    BlockingClient b = client.blocking();
    List<String> ids;
    try {
      ids = new ArrayList<>(b.getChildren(base));
    } catch (NoNodeException e) {
      return List.of();
    }
    Collections.sort(ids);
    List<DubboInstance> out = new ArrayList<>();
    for (String id : ids) {
      try {
        out.add(parse(b.getData(base + "/" + id).data(), base + "/" + id));
      } catch (NoNodeException e) {
        // gone since the listing
      }
    }
    return out;
  }

  /** The instances of every application mapped to an interface. */
  public List<DubboInstance> providersOf(String iface)
      throws PaddockException, InterruptedException {
    List<DubboInstance> out = new ArrayList<>();
    for (String app : applicationsOf(iface)) {
      out.addAll(instances(app));
    }
    return out;
  }

  static DubboInstance parse(byte[] data, String path) {
    try {
      JsonObject o = GSON.fromJson(new String(data, StandardCharsets.UTF_8), JsonObject.class);
      Map<String, String> meta = new LinkedHashMap<>();
      JsonElement payload = o.get("payload");
      if (payload != null && payload.isJsonObject() && payload.getAsJsonObject().has("metadata")) {
        for (var e : payload.getAsJsonObject().getAsJsonObject("metadata").entrySet()) {
          meta.put(e.getKey(), e.getValue().getAsString());
        }
      }
      String address = o.get("address").getAsString();
      int port = o.get("port").getAsInt();
      JsonElement id = o.get("id");
      JsonElement time = o.get("registrationTimeUTC");
      return new DubboInstance(
          o.get("name").getAsString(),
          id == null || id.isJsonNull() ? address + ":" + port : id.getAsString(),
          address,
          port,
          meta,
          time == null || time.isJsonNull() ? 0 : time.getAsLong());
    } catch (JsonParseException
        | IllegalStateException
        | ClassCastException
        | NullPointerException e) {
      throw new IllegalArgumentException("Dubbo instance " + path + " is not Dubbo's JSON", e);
    }
  }

  private String instancePath(String app) {
    return services + "/" + segment("application", app);
  }

  private String mappingPath(String iface) {
    return mapping + "/" + segment("interface", iface);
  }

  private static List<String> split(byte[] data) {
    return Arrays.stream(new String(data, StandardCharsets.UTF_8).split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static String segment(String kind, String name) {
    if (name == null || name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException(
          "Dubbo " + kind + " name '" + name + "' must be non-empty and hold no '/'");
    }
    return name;
  }

  private static String trim(String root) {
    return root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }
}
