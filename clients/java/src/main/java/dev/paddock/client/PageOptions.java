package dev.paddock.client;

/**
 * How a paged getChildren reads (a Paddock extension): names sorted by name (as {@link
 * String#compareTo}), at most {@code pageSize} a page (0: the server's childrenPerReplyMax), only
 * those starting with {@code prefix}, after the page that returned {@code pageToken}. Immutable:
 * each setter returns a copy.
 */
public final class PageOptions {
  private static final PageOptions DEFAULTS = new PageOptions(0, null, null);

  private final int pageSize;
  private final String prefix;
  private final String pageToken;

  private PageOptions(int pageSize, String prefix, String pageToken) {
    this.pageSize = pageSize;
    this.prefix = prefix;
    this.pageToken = pageToken;
  }

  /** The server's page size, every name, from the first one. */
  public static PageOptions defaults() {
    return DEFAULTS;
  }

  /** Names per page: 0 (the server's childrenPerReplyMax) up to that limit. */
  public PageOptions pageSize(int size) {
    if (size < 0) {
      throw new IllegalArgumentException(
          "pageSize " + size + " must be >= 0 (0: the server's childrenPerReplyMax)");
    }
    return new PageOptions(size, prefix, pageToken);
  }

  /** Only children whose name starts with this; null for all. */
  public PageOptions prefix(String namePrefix) {
    return new PageOptions(pageSize, namePrefix, pageToken);
  }

  /** Start after the page that returned this {@link ChildrenPage#nextPageToken()}; null: first. */
  public PageOptions pageToken(String token) {
    return new PageOptions(pageSize, prefix, token);
  }

  public int pageSize() {
    return pageSize;
  }

  public String prefix() {
    return prefix;
  }

  public String pageToken() {
    return pageToken;
  }
}
