package dev.paddock.testing;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers shared by the client tests. */
public final class Clients {
  private static final AtomicInteger PATHS = new AtomicInteger();

  private Clients() {}

  public static PaddockClient connect(String address)
      throws PaddockException, InterruptedException {
    return PaddockClient.connect(address, ClientOptions.builder().sessionTimeoutMs(10_000).build());
  }

  /** A fresh top-level path so tests sharing a server never see each other's nodes. */
  public static String uniquePath(String name) {
    return "/" + name + "-" + PATHS.incrementAndGet() + "-" + System.nanoTime();
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
