package dev.paddock.client;

/** Grants {@code perms} (a bit set of {@link Perms}) to the identity {@code scheme:id}. */
public record Acl(int perms, String scheme, String id) {
  public Acl {
    if (scheme == null || id == null) {
      throw new IllegalArgumentException("scheme and id are required");
    }
  }

  @Override
  public String toString() {
    return scheme + ":" + id + ":" + perms;
  }
}
