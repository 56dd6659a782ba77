package dev.paddock.client;

/** A znode's metadata, field for field as ZooKeeper's Stat. */
public record Stat(
    long czxid,
    long mzxid,
    long ctime,
    long mtime,
    int version,
    int cversion,
    int aversion,
    long ephemeralOwner,
    int dataLength,
    int numChildren,
    long pzxid) {}
