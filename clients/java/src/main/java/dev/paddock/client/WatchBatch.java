package dev.paddock.client;

import java.util.List;

/**
 * The changes one committed transaction made (a multi's together), in a watch stream. A
 * transaction the server sent in fragments (over its reply limit) comes joined, as one batch.
 */
public record WatchBatch(long zxid, List<WatchChange> changes) {}
