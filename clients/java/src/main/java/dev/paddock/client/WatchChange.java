package dev.paddock.client;

/**
 * One change to one node in a watch stream. {@code data} and {@code stat} are set (else null)
 * when the stream was opened with data, on created and data-changed events.
 */
public record WatchChange(EventType type, String path, byte[] data, Stat stat) {}
