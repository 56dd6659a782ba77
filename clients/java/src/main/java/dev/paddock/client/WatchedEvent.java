package dev.paddock.client;

/**
 * A watch notification or a session state change ({@code type == NONE}, {@code path == null}).
 * {@code zxid} is the transaction that fired a node event, or -1.
 */
public record WatchedEvent(EventType type, SessionState state, String path, long zxid) {}
