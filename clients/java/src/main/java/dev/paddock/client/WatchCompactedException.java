package dev.paddock.client;

/**
 * A watch stream's start zxid is older than the server's history: re-read what the watch covers,
 * then watch again from {@link #oldestZxid()} (or later).
 */
public final class WatchCompactedException extends PaddockException {
  private static final long serialVersionUID = 1L;
  private final long oldestZxid;

  public WatchCompactedException(String path, long oldestZxid, String message) {
    super(ErrorCode.API_ERROR, path, message);
    this.oldestZxid = oldestZxid;
  }

  /** The oldest zxid the server's history can start from. */
  public long oldestZxid() {
    return oldestZxid;
  }
}
