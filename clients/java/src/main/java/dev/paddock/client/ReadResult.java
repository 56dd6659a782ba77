package dev.paddock.client;

import java.util.List;

/**
 * One read's outcome in a {@link PaddockClient#multiRead}: each read succeeds or fails by itself
 * (a multiRead is not atomic), so a failure is a result, not an exception.
 */
public sealed interface ReadResult {
  record DataRead(byte[] data, Stat stat) implements ReadResult {}

  record ChildrenRead(List<String> children, Stat stat) implements ReadResult {}

  record Failed(PaddockException error) implements ReadResult {}
}
