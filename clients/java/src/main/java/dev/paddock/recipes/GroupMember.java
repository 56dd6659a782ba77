package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.CreateMode;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NoNodeException;
import dev.paddock.client.PaddockException.NodeExistsException;
import dev.paddock.client.Stat;
import dev.paddock.client.Watcher;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Group membership in Curator's GroupMember layout: each member is {@code <path>/<id>}
 * (ephemeral, data = its payload); the group is the children of {@code path}. Listeners added
 * with {@link #addListener} hear SUSPENDED, RECONNECTED and LOST while joined. Blocking: do not
 * call from a Watcher.
 */
public final class GroupMember {
  private final PaddockClient client;
  private final String path;
  private final String id;
  private final byte[] payload;
  private final SessionFollower session;
  private volatile long czxid;

  public GroupMember(PaddockClient client, String path, String id, byte[] payload) {
    if (id == null || id.isEmpty() || id.contains("/")) {
      throw new IllegalArgumentException(
          "member id " + id + " of " + path + " must be a non-empty node name");
    }
    this.client = client;
    this.path = path;
    this.id = id;
    this.payload = payload.clone();
    this.session = new SessionFollower(client);
  }

  /** {@code listener} runs on the client's event thread while joined; it must not block. */
  public void addListener(Consumer<ConnectionEvent> listener) {
    session.addListener(listener);
  }

  public void join() throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    Paths.ensure(b, path);
    String node = Paths.join(path, id);
    try {
      b.create(node, payload, Paths.OPEN, CreateMode.EPHEMERAL);
    } catch (NodeExistsException e) {
      throw new NodeExistsException(node, "member " + id + " already in " + path);
    }
    Stat st = b.exists(node);
    czxid = st == null ? 0 : st.czxid();
    session.start();
  }

  /** The creation zxid of this member's node once joined: a fencing token. */
  public long fencingToken() {
    return czxid;
  }

  public void leave() throws PaddockException, InterruptedException {
    session.stop();
    if (session.lost()) {
      return; // the node went with the session
    }
    try {
      client.blocking().delete(Paths.join(path, id), -1);
    } catch (NoNodeException e) {
      // gone already
    }
  }

  /** The group: member id to payload; {@code watcher} (may be null) fires on the next change. */
  public Map<String, byte[]> members(Watcher watcher) throws PaddockException, InterruptedException {
    BlockingClient b = client.blocking();
    Map<String, byte[]> view = new TreeMap<>();
    for (String member : b.getChildren(path, watcher)) {
      try {
        view.put(member, b.getData(Paths.join(path, member)).data());
      } catch (NoNodeException e) {
        // left between the listing and the read
      }
    }
    return view;
  }
}
