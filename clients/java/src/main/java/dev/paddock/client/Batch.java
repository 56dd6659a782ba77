package dev.paddock.client;

/** A batching section from {@link PaddockClient#batch()}; closing it sends what it held. */
public interface Batch extends AutoCloseable {
  @Override
  void close();
}
