package dev.paddock.client;

/**
 * One change to one node in a watch stream. {@code data} and {@code stat} are set (else null)
 * when the stream was opened with data, on created and data-changed events: the node after the
 * transaction. {@code prevData} and {@code prevStat} are set (else null) when it was opened with
 * previous data, on data-changed and deleted events: the node before the transaction. {@code
 * dataNull} and {@code prevDataNull} tell ZooKeeper's null data from empty data.
 */
public record WatchChange(
    EventType type,
    String path,
    byte[] data,
    Stat stat,
    boolean dataNull,
    byte[] prevData,
    Stat prevStat,
    boolean prevDataNull) {}
