package dev.paddock.recipes;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;

/**
 * Curator x-discovery's ServiceInstance, field for field as its JSON: {@code name}, {@code id},
 * {@code address}, {@code port}, {@code sslPort}, {@code payload}, {@code registrationTimeUTC},
 * {@code serviceType}, {@code uriSpec}, {@code enabled}; unset ones are written as null, as the
 * other Paddock clients write them.
 */
public record ServiceInstance(
    String name,
    String id,
    String address,
    Integer port,
    Integer sslPort,
    JsonElement payload,
    long registrationTimeUTC,
    String serviceType,
    JsonElement uriSpec,
    boolean enabled) {

  /** An enabled DYNAMIC (ephemeral) instance registered now, without payload. */
  public static ServiceInstance of(String name, String id, String address, Integer port) {
    return new ServiceInstance(
        name,
        id,
        address,
        port,
        null,
        JsonNull.INSTANCE,
        System.currentTimeMillis(),
        "DYNAMIC",
        JsonNull.INSTANCE,
        true);
  }
}
