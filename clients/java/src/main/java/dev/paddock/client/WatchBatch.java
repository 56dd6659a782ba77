package dev.paddock.client;

import java.util.List;

/** The changes one committed transaction made (a multi's together), in a watch stream. */
public record WatchBatch(long zxid, List<WatchChange> changes) {}
