package dev.paddock.client;

import com.google.protobuf.ByteString;
import dev.paddock.client.PaddockException.ConnectionLossException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import paddock.v1.Data;
import paddock.v1.Session;

/**
 * A Paddock session: ZooKeeper's client API over Paddock's gRPC session stream.
 *
 * <p>Every operation returns a {@link CompletableFuture} that fails with a {@link
 * PaddockException} subclass (NoNodeException, BadVersionException, ...). Futures complete on the
 * client's event thread in the order the server answered, after any watch event the server sent
 * before the reply. {@link #blocking()} gives the same operations as plain blocking calls.
 *
 * <p>Requests issued together leave in one envelope; the session is kept alive with pings, and a
 * broken connection is re-established to the next server with its watches re-registered. Requests
 * in flight when a connection breaks fail with ConnectionLossException, as in ZooKeeper.
 */
public final class PaddockClient implements AutoCloseable {
  private final SessionConnection session;
  private final ClientOptions options;
  /** Complete futures on the I/O thread: the twin behind {@link #blocking()}. */
  private final boolean direct;
  private final BlockingClient blocking;

  private PaddockClient(SessionConnection session, ClientOptions options, boolean direct) {
    this.session = session;
    this.options = options;
    this.direct = direct;
    this.blocking = direct ? null : new BlockingClient(new PaddockClient(session, options, true));
  }

  /**
   * Connects to one of {@code servers} ("host:port,host:port") and waits for the session.
   *
   * @throws PaddockException ConnectionLossException if no server answered within the connect
   *     timeout, or the reason the server refused (SessionExpired, AuthFailed)
   */
  public static PaddockClient connect(String servers, ClientOptions options)
      throws PaddockException, InterruptedException {
    PaddockClient client = connectAsyncInternal(servers, options);
    try {
      client.session.firstConnect.get(options.connectTimeoutMs, TimeUnit.MILLISECONDS);
      return client;
    } catch (TimeoutException e) {
      client.close();
      throw new ConnectionLossException(
          "no session with " + servers + " within " + options.connectTimeoutMs + " ms");
    } catch (ExecutionException e) {
      client.close();
      throw Replies.unwrap(e.getCause());
    } catch (InterruptedException e) {
      client.close();
      throw e;
    }
  }

  public static PaddockClient connect(String servers) throws PaddockException, InterruptedException {
    return connect(servers, ClientOptions.defaults());
  }

  /** Connects in the background; the future completes once the session exists. */
  public static CompletableFuture<PaddockClient> connectAsync(String servers, ClientOptions options) {
    PaddockClient client = connectAsyncInternal(servers, options);
    return client.session.firstConnect.thenApply(v -> client);
  }

  private static PaddockClient connectAsyncInternal(String servers, ClientOptions options) {
    List<String> list = new ArrayList<>();
    for (String s : servers.split(",")) {
      String t = s.trim();
      if (!t.isEmpty()) {
        list.add(t);
      }
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no servers in '" + servers + "'");
    }
    SessionConnection session = new SessionConnection(list, options);
    PaddockClient client = new PaddockClient(session, options, false);
    session.start();
    return client;
  }

  /**
   * Opens a resumable watch stream on path (see {@link WatchStream}); it runs until closed and
   * uses this session's servers and digest credentials, not the session itself.
   */
  public WatchStream watchStream(String path, WatchStream.Options options) {
    return new WatchStream(session, path, options);
  }

  /** The same operations as blocking calls that throw PaddockException. */
  public BlockingClient blocking() {
    return blocking;
  }

  public long sessionId() {
    return session.sessionId();
  }

  /** The timeout the server granted (0 before the first connect). */
  public int sessionTimeoutMs() {
    return session.negotiatedTimeoutMs();
  }

  public SessionState state() {
    return session.state();
  }

  public void addStateListener(SessionStateListener listener) {
    session.addListener(listener);
  }

  public void removeStateListener(SessionStateListener listener) {
    session.removeListener(listener);
  }

  /**
   * Holds back the requests issued until the handle is closed so they leave in one envelope
   * (requests issued in one burst are batched anyway; this makes it certain).
   */
  public Batch batch() {
    return session.cork();
  }

  /** Envelopes and requests sent so far (batching is visible as requests > envelopes). */
  public long envelopesSent() {
    return session.envelopesSent.get();
  }

  public long requestsSent() {
    return session.requestsSent.get();
  }

  // ---- operations ----

  public CompletableFuture<String> create(String path, byte[] data, List<Acl> acl, CreateMode mode) {
    return create(path, data, acl, mode, 0);
  }

  /** Creates with a TTL (ms) for the TTL modes; returns the created path (with any suffix). */
  public CompletableFuture<String> create(
      String path, byte[] data, List<Acl> acl, CreateMode mode, long ttlMs) {
    return createWithStat(path, data, acl, mode, ttlMs).thenApply(OpResult.CreateResult::path);
  }

  public CompletableFuture<OpResult.CreateResult> createWithStat(
      String path, byte[] data, List<Acl> acl, CreateMode mode, long ttlMs) {
    return call(
        req().setCreate(Protos.createRequest(path, data, acl, mode, ttlMs)), Replies::create, null);
  }

  /** Deletes if the version matches (-1: any version). */
  public CompletableFuture<Void> delete(String path, int version) {
    Data.DeleteRequest.Builder b = Data.DeleteRequest.newBuilder().setPath(path);
    if (version != -1) {
      b.setVersion(version);
    }
    return call(req().setDelete(b), Replies::none, null);
  }

  /** The node's stat, or null if it does not exist; a watcher hears its creation or change. */
  public CompletableFuture<Stat> exists(String path, boolean watch) {
    return exists(path, watch ? defaultWatcher() : null);
  }

  public CompletableFuture<Stat> exists(String path, Watcher watcher) {
    Data.ExistsRequest.Builder b =
        Data.ExistsRequest.newBuilder().setPath(path).setWatch(watcher != null);
    return call(
        req().setExists(b),
        Replies::exists,
        watcher == null
            ? null
            : (r, ok) -> {
              if (ok || Replies.isNoNode(r)) {
                boolean present = ok && r.getExists().hasStat();
                session.watches.add(
                    present ? WatchRegistry.Kind.DATA : WatchRegistry.Kind.EXIST, path, watcher);
              }
            });
  }

  public CompletableFuture<DataResult> getData(String path, boolean watch) {
    return getData(path, watch ? defaultWatcher() : null);
  }

  public CompletableFuture<DataResult> getData(String path, Watcher watcher) {
    Data.GetDataRequest.Builder b =
        Data.GetDataRequest.newBuilder().setPath(path).setWatch(watcher != null);
    return call(
        req().setGetData(b),
        Replies::getData,
        registerOnSuccess(WatchRegistry.Kind.DATA, path, watcher));
  }

  /** Sets the data if the version matches (-1: any version); returns the new stat. */
  public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
    Data.SetDataRequest.Builder b =
        Data.SetDataRequest.newBuilder().setPath(path).setData(ByteString.copyFrom(data));
    if (version != -1) {
      b.setVersion(version);
    }
    return call(req().setSetData(b), Replies::setData, null);
  }

  /** Child names (not paths), in no particular order. */
  public CompletableFuture<List<String>> getChildren(String path, boolean watch) {
    return getChildren(path, watch ? defaultWatcher() : null);
  }

  public CompletableFuture<List<String>> getChildren(String path, Watcher watcher) {
    Data.GetChildrenRequest.Builder b =
        Data.GetChildrenRequest.newBuilder().setPath(path).setWatch(watcher != null);
    return call(
        req().setGetChildren(b),
        Replies::getChildren,
        registerOnSuccess(WatchRegistry.Kind.CHILD, path, watcher));
  }

  /** The number of descendants of the node (children, their children, ...). */
  public CompletableFuture<Integer> getAllChildrenNumber(String path) {
    return call(
        req().setGetAllChildrenNumber(Data.GetAllChildrenNumberRequest.newBuilder().setPath(path)),
        Replies::getAllChildrenNumber,
        null);
  }

  /** The paths of this session's ephemeral nodes under the prefix ("/" for all). */
  public CompletableFuture<List<String>> getEphemerals(String prefixPath) {
    return call(
        req().setGetEphemerals(Data.GetEphemeralsRequest.newBuilder().setPrefixPath(prefixPath)),
        Replies::getEphemerals,
        null);
  }

  /**
   * Runs reads in one request (ZooKeeper 3.6's multiRead); results in op order, each read
   * succeeding or failing by itself.
   */
  public CompletableFuture<List<ReadResult>> multiRead(List<ReadOp> ops) {
    Data.MultiReadRequest.Builder b = Data.MultiReadRequest.newBuilder();
    for (ReadOp op : ops) {
      b.addOps(op.toProto());
    }
    return call(req().setMultiRead(b), Replies::multiRead, null);
  }

  public CompletableFuture<List<ReadResult>> multiRead(ReadOp... ops) {
    return multiRead(Arrays.asList(ops));
  }

  public CompletableFuture<AclResult> getACL(String path) {
    return call(
        req().setGetAcl(Data.GetACLRequest.newBuilder().setPath(path)), Replies::getAcl, null);
  }

  /** Replaces the ACL if the ACL version matches (-1: any). */
  public CompletableFuture<Stat> setACL(String path, List<Acl> acl, int aclVersion) {
    Data.SetACLRequest.Builder b =
        Data.SetACLRequest.newBuilder().setPath(path).addAllAcl(Protos.toProto(acl));
    if (aclVersion != -1) {
      b.setVersion(aclVersion);
    }
    return call(req().setSetAcl(b), Replies::setAcl, null);
  }

  /** Waits until the member serving this session has caught up with the leader. */
  public CompletableFuture<String> sync(String path) {
    return call(req().setSync(Data.SyncRequest.newBuilder().setPath(path)), Replies::sync, null);
  }

  /**
   * Runs the ops atomically. On failure the future fails with the first failing op's exception,
   * whose {@link PaddockException#results()} lists every op's result.
   */
  public CompletableFuture<List<OpResult>> multi(List<Op> opList) {
    List<Op> ops = List.copyOf(opList);
    Data.MultiRequest.Builder b = Data.MultiRequest.newBuilder();
    for (Op op : ops) {
      b.addOps(op.toProto());
    }
    return call(req().setMulti(b), r -> Replies.multi(r, ops), null);
  }

  public CompletableFuture<List<OpResult>> multi(Op... ops) {
    return multi(Arrays.asList(ops));
  }

  /**
   * One page of children sorted by name (a Paddock extension): at most the options' pageSize
   * names starting with its prefix, after its pageToken. {@link BlockingClient#listChildren}
   * reads them all.
   */
  public CompletableFuture<ChildrenPage> getChildrenPage(String path, PageOptions options) {
    Data.GetChildrenRequest.Builder b = ChildrenPages.request(path, options, false);
    return call(req().setGetChildren(b), ChildrenPages::page, null);
  }

  /** How many children the node has whose name starts with prefix (null: all), without names. */
  public CompletableFuture<Integer> countChildren(String path, String prefix) {
    PageOptions o = PageOptions.defaults().prefix(prefix);
    Data.GetChildrenRequest.Builder b = ChildrenPages.request(path, o, true);
    return call(req().setGetChildren(b), ChildrenPages::count, null);
  }

  /**
   * The node's data in pieces of chunkBytes (0: the server's 65536) from one version, read as the
   * caller iterates (a Paddock extension, for values near the size limit); close it when done.
   * Linearizable: also reflect every write acknowledged before the read.
   */
  public DataChunks getDataChunks(String path, int chunkBytes, boolean linearizable) {
    return new DataChunks(session, path, chunkBytes, linearizable);
  }

  public DataChunks getDataChunks(String path, int chunkBytes) {
    return getDataChunks(path, chunkBytes, false);
  }

  /** Runs a compare-transaction ({@link Txn}); a failing op of its branch fails it as multi. */
  public CompletableFuture<TxnResult> txn(Txn txn) {
    return call(req().setTxn(txn.toProto()), txn::result, null);
  }

  /** A watch that stays until removed: every matching event reaches the watcher. */
  public CompletableFuture<Void> addWatch(String path, Watcher watcher, AddWatchMode mode) {
    Data.AddWatchRequest.Builder b =
        Data.AddWatchRequest.newBuilder()
            .setPath(path)
            .setMode(
                mode == AddWatchMode.PERSISTENT
                    ? Data.AddWatchMode.ADD_WATCH_MODE_PERSISTENT
                    : Data.AddWatchMode.ADD_WATCH_MODE_PERSISTENT_RECURSIVE);
    WatchRegistry.Kind kind =
        mode == AddWatchMode.PERSISTENT
            ? WatchRegistry.Kind.PERSISTENT
            : WatchRegistry.Kind.PERSISTENT_RECURSIVE;
    return call(req().setAddWatch(b), Replies::none, registerOnSuccess(kind, path, watcher));
  }

  /**
   * Removes this watcher's watches of the type on the path; it then hears a *_WATCH_REMOVED
   * event. Fails with NoWatcherException if it had none. The server-side watch is removed once no
   * watcher of the type is left on the path.
   */
  public CompletableFuture<Void> removeWatches(String path, Watcher watcher, WatcherType type) {
    if (watcher == null) {
      throw new IllegalArgumentException("watcher is required (removeAllWatches removes all)");
    }
    return removeWatchesInternal(path, watcher, type);
  }

  /** Removes every watcher of the type on the path. */
  public CompletableFuture<Void> removeAllWatches(String path, WatcherType type) {
    return removeWatchesInternal(path, null, type);
  }

  private CompletableFuture<Void> removeWatchesInternal(
      String path, Watcher watcher, WatcherType type) {
    return WatchRemoval.remove(session, direct, path, watcher, type);
  }

  /** Adds credentials (e.g. "digest", "user:password") to this session and to every resume. */
  public CompletableFuture<Void> addAuth(String scheme, byte[] auth) {
    byte[] copy = auth.clone();
    return call(
        req()
            .setAddAuth(
                Data.AddAuthRequest.newBuilder()
                    .setScheme(scheme)
                    .setAuth(ByteString.copyFrom(copy))),
        Replies::none,
        (r, ok) -> {
          if (ok) {
            session.addAuth(new ClientOptions.AuthInfo(scheme, copy));
          }
        });
  }

  public CompletableFuture<List<ClientInfo>> whoAmI() {
    return call(req().setWhoAmI(Data.WhoAmIRequest.getDefaultInstance()), Replies::whoAmI, null);
  }

  /**
   * Changes the ensemble's members (ZooKeeperAdmin.reconfigure): incrementally ({@code joining}
   * "server.N=host:quorumPort:electionPort[:participant|:observer];[clientHost:]clientPort"
   * lines, {@code leaving} server ids) or in bulk ({@code newMembers}), from configuration
   * {@code fromConfig} (the hex "version=" of /zookeeper/config, parsed; -1 for any). Null or
   * empty lists for the parts not used. Needs reconfigEnabled=true and the super user (or WRITE
   * on /zookeeper/config); completes with /zookeeper/config after the change.
   */
  public CompletableFuture<DataResult> reconfig(
      List<String> joining, List<String> leaving, List<String> newMembers, long fromConfig) {
    Data.ReconfigRequest.Builder b =
        Data.ReconfigRequest.newBuilder()
            .setJoiningServers(joinedList(joining))
            .setLeavingServers(joinedList(leaving))
            .setNewMembers(joinedList(newMembers))
            .setCurConfigId(fromConfig);
    return call(req().setReconfig(b), Replies::reconfig, null);
  }

  /** Closes the session (ephemerals are deleted at once) and releases the connection. */
  public CompletableFuture<Void> closeAsync() {
    return session.close(Math.max(1000, options.sessionTimeoutMs));
  }

  @Override
  public void close() throws InterruptedException {
    if (session.onEventThread()) {
      closeAsync(); // from a callback: the close completes on this very thread, after it returns
      return;
    }
    try {
      closeAsync().get(Math.max(2000, options.sessionTimeoutMs) + 1000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // The session will expire on the server; nothing else to release.
    }
  }

  // ---- plumbing ----

  private static Session.Request.Builder req() {
    return Session.Request.newBuilder();
  }

  private static String joinedList(List<String> items) {
    return items == null ? "" : String.join(",", items);
  }

  private Watcher defaultWatcher() {
    if (options.defaultWatcher == null) {
      throw new IllegalStateException("watch = true needs ClientOptions.defaultWatcher");
    }
    return options.defaultWatcher;
  }

  private Pending.Hook registerOnSuccess(WatchRegistry.Kind kind, String path, Watcher watcher) {
    if (watcher == null) {
      return null;
    }
    return (r, ok) -> {
      if (ok) {
        session.watches.add(kind, path, watcher);
      }
    };
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> call(
      Session.Request.Builder request, Pending.Decoder decoder, Pending.Hook hook) {
    return (CompletableFuture<T>)
        (CompletableFuture<?>) session.submit(new Pending(request, decoder, hook, direct, false));
  }
}
