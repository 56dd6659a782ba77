package dev.paddock.client;

import java.util.ArrayList;
import java.util.List;
import paddock.v1.Watch;

/**
 * Joins the WatchChanges messages of one transaction (each but the last with fragment set: the
 * server splits a transaction over its reply limit, jute.maxbuffer) into one batch, for one gRPC
 * stream. A stream that breaks drops a partial transaction with its joiner: the resume point is
 * still before it, so the next stream sends it whole.
 */
final class FragmentJoin {
  private final String path;
  private long zxid;
  private List<WatchChange> pending; // null between transactions

  FragmentJoin(String path) {
    this.path = path;
  }

  /**
   * Takes one message; returns the whole transaction after its last message, null before.
   * {@code lastZxid} is where the stream stands (-1 unknown): a transaction at or before it is a
   * repeat.
   */
  WatchBatch add(Watch.WatchChanges m, long lastZxid) throws PaddockException {
    if (pending == null) {
      // The server sends each zxid once and a resume starts after lastZxid: a repeat is a
      // server bug, not something to hide.
      if (lastZxid >= 0 && m.getZxid() <= lastZxid) {
        throw error("repeated zxid 0x" + Long.toHexString(m.getZxid()));
      }
      zxid = m.getZxid();
      pending = new ArrayList<>(m.getChangesCount());
    } else if (m.getZxid() != zxid) {
      throw error(
          "fragments of zxid 0x"
              + Long.toHexString(zxid)
              + " ended by zxid 0x"
              + Long.toHexString(m.getZxid()));
    }
    for (Watch.WatchChange c : m.getChangesList()) {
      pending.add(change(c));
    }
    if (m.getFragment()) {
      return null;
    }
    WatchBatch batch = new WatchBatch(zxid, List.copyOf(pending));
    pending = null;
    return batch;
  }

  /** A progress notification must not cut into a transaction's fragments. */
  void progress(long progressZxid) throws PaddockException {
    if (pending != null) {
      throw error(
          "progress 0x"
              + Long.toHexString(progressZxid)
              + " inside the fragments of zxid 0x"
              + Long.toHexString(zxid));
    }
  }

  private PaddockException error(String message) {
    return PaddockException.create(ErrorCode.SYSTEM_ERROR, path, "watch stream " + message);
  }

  static WatchChange change(Watch.WatchChange c) {
    boolean withStat = c.hasStat();
    boolean withPrev = c.hasPrevStat();
    return new WatchChange(
        EventType.fromValue(c.getTypeValue()),
        c.getPath(),
        withStat ? c.getData().toByteArray() : null,
        withStat ? Protos.stat(c.getStat()) : null,
        withStat && c.getDataNull(),
        withPrev ? c.getPrevData().toByteArray() : null,
        withPrev ? Protos.stat(c.getPrevStat()) : null,
        withPrev && c.getPrevDataNull());
  }
}
