package dev.paddock.recipes;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Service discovery in Curator x-discovery's layout: an instance is {@code
 * <base>/<service>/<id>} (ephemeral for DYNAMIC instances) holding {@link ServiceInstance} JSON,
 * so Curator's ServiceDiscovery and the other Paddock clients find what Java registers and the
 * other way round. Blocking: do not call from a Watcher.
 */
public final class ServiceDiscovery {
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();

  private final PaddockClient client;
  private final String base;

  public ServiceDiscovery(PaddockClient client, String base) {
    this.client = client;
    this.base = base.length() > 1 && base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  String pathOf(String name) {
    return Paths.join(base, name);
  }

  public void register(ServiceInstance instance) throws PaddockException, InterruptedException {
    if (instance.name() == null
        || instance.id() == null
        || instance.name().isEmpty()
        || instance.id().isEmpty()
        || (instance.name() + instance.id()).contains("/")) {
      throw new IllegalArgumentException(
          "service instance needs a name and an id without '/': name "
              + instance.name()
              + ", id "
              + instance.id());
    }
    BlockingClient b = client.blocking();
    Paths.ensure(b, pathOf(instance.name()));
    String path = Paths.join(pathOf(instance.name()), instance.id());
    CreateMode mode =
        "DYNAMIC".equals(instance.serviceType()) ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT;
    try {
      b.create(path, toJson(instance), Paths.OPEN, mode);
    } catch (NodeExistsException e) {
      throw new NodeExistsException(
          path, "instance " + instance.id() + " of " + instance.name() + " is already registered");
    }
  }

  public void unregister(String name, String id) throws PaddockException, InterruptedException {
    try {
      client.blocking().delete(Paths.join(pathOf(name), id), -1);
    } catch (NoNodeException e) {
      // gone already
    }
  }

  public List<String> queryForNames() throws PaddockException, InterruptedException {
    try {
      return client.blocking().getChildren(base).stream().sorted().toList();
    } catch (NoNodeException e) {
      return List.of();
    }
  }

  /** Every instance of the service, ordered by id; instances leaving meanwhile are skipped. */
  public List<ServiceInstance> queryForInstances(String name)
      throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    List<String> ids;
    try {
      ids = b.getChildren(pathOf(name)).stream().sorted().toList();
    } catch (NoNodeException e) {
      return List.of();
    }
    List<ServiceInstance> out = new ArrayList<>();
    for (String id : ids) {
      String path = Paths.join(pathOf(name), id);
      try {
        out.add(fromJson(b.getData(path).data(), path));
      } catch (NoNodeException e) {
        // left between the listing and the read
      }
    }
    return out;
  }

  /** A cached round-robin provider of the service; call {@link ServiceProvider#start()}. */
  public ServiceProvider provider(String name) {
    return new ServiceProvider(this, name, ServiceProvider.Strategy.ROUND_ROBIN);
  }

  /** A cached provider of the service with a strategy; call {@link ServiceProvider#start()}. */
  public ServiceProvider provider(String name, ServiceProvider.Strategy strategy) {
    return new ServiceProvider(this, name, strategy);
  }

  PaddockClient client() {
    return client;
  }

  String base() {
    return base;
  }

  public static byte[] toJson(ServiceInstance instance) {
    JsonObject o = new JsonObject();
    o.addProperty("name", instance.name());
    o.addProperty("id", instance.id());
    o.addProperty("address", instance.address());
    o.addProperty("port", instance.port());
    o.addProperty("sslPort", instance.sslPort());
    o.add("payload", instance.payload() == null ? JsonNull.INSTANCE : instance.payload());
    o.addProperty("registrationTimeUTC", instance.registrationTimeUTC());
    o.addProperty("serviceType", instance.serviceType());
    o.add("uriSpec", instance.uriSpec() == null ? JsonNull.INSTANCE : instance.uriSpec());
    o.addProperty("enabled", instance.enabled());
    return GSON.toJson(o).getBytes(StandardCharsets.UTF_8);
  }

  static ServiceInstance fromJson(byte[] data, String path) {
    try {
      JsonObject o = GSON.fromJson(new String(data, StandardCharsets.UTF_8), JsonObject.class);
      return new ServiceInstance(
          string(o, "name"),
          string(o, "id"),
          string(o, "address"),
          integer(o, "port"),
          integer(o, "sslPort"),
          o.has("payload") ? o.get("payload") : JsonNull.INSTANCE,
          o.has("registrationTimeUTC") && !o.get("registrationTimeUTC").isJsonNull()
              ? o.get("registrationTimeUTC").getAsLong()
              : 0,
          string(o, "serviceType"),
          o.has("uriSpec") ? o.get("uriSpec") : JsonNull.INSTANCE,
          !o.has("enabled") || o.get("enabled").isJsonNull() || o.get("enabled").getAsBoolean());
    } catch (JsonParseException | IllegalStateException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException(
          "service instance " + path + " is not x-discovery JSON: " + e.getMessage(), e);
    }
  }

  private static String string(JsonObject o, String field) {
    return o.has(field) && !o.get(field).isJsonNull() ? o.get(field).getAsString() : null;
  }

  private static Integer integer(JsonObject o, String field) {
    return o.has(field) && !o.get(field).isJsonNull() ? o.get(field).getAsInt() : null;
  }
}
