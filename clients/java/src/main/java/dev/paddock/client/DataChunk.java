package dev.paddock.client;

/**
 * One piece of a node's data from {@link PaddockClient#getDataChunks}: where it starts in the
 * value, its bytes, whether it is the last; the first piece also carries the stat of the version
 * every piece comes from, and {@code dataNull} when the node holds no data at all.
 */
public record DataChunk(long offset, byte[] data, boolean last, Stat stat, boolean dataNull) {}
