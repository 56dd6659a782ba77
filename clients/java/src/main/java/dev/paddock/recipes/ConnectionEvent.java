package dev.paddock.recipes;

/**
 * What a recipe that holds something (a lock, leadership, membership) tells its user about the
 * session, as the TypeScript recipes do (docs/RECIPES.md).
 */
public enum ConnectionEvent {
  /** The connection dropped: the hold may be gone, stop acting on it. */
  SUSPENDED,
  /** The same session resumed: the hold is intact. */
  RECONNECTED,
  /** The session expired or closed: the hold is gone; the next contender goes ahead only now. */
  LOST
}
