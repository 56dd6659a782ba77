package dev.paddock.client;

import java.nio.charset.StandardCharsets;

/** A znode's data with its stat. */
public record DataResult(byte[] data, Stat stat) {
  public String dataAsString() {
    return new String(data, StandardCharsets.UTF_8);
  }
}
