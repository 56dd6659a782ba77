package dev.paddock.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@link PaddockClient}'s operations as blocking calls. Replies wake the caller directly from the
 * I/O thread, so these are safe to call from inside a Watcher or a future's callback.
 */
public final class BlockingClient {
  private final PaddockClient client;

  BlockingClient(PaddockClient client) {
    this.client = client;
  }

  private static <T> T await(CompletableFuture<T> f) throws PaddockException, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw Replies.unwrap(e.getCause());
    }
  }

  public String create(String path, byte[] data, List<Acl> acl, CreateMode mode)
      throws PaddockException, InterruptedException {
    return await(client.create(path, data, acl, mode));
  }

  public String create(String path, byte[] data, List<Acl> acl, CreateMode mode, long ttlMs)
      throws PaddockException, InterruptedException {
    return await(client.create(path, data, acl, mode, ttlMs));
  }

  /** A persistent node open to everyone. */
  public String create(String path, byte[] data) throws PaddockException, InterruptedException {
    return create(path, data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
  }

  public void delete(String path, int version) throws PaddockException, InterruptedException {
    await(client.delete(path, version));
  }

  public Stat exists(String path, Watcher watcher) throws PaddockException, InterruptedException {
    return await(client.exists(path, watcher));
  }

  public Stat exists(String path) throws PaddockException, InterruptedException {
    return exists(path, null);
  }

  public DataResult getData(String path, Watcher watcher)
      throws PaddockException, InterruptedException {
    return await(client.getData(path, watcher));
  }

  public DataResult getData(String path) throws PaddockException, InterruptedException {
    return getData(path, null);
  }

  public Stat setData(String path, byte[] data, int version)
      throws PaddockException, InterruptedException {
    return await(client.setData(path, data, version));
  }

  public List<String> getChildren(String path, Watcher watcher)
      throws PaddockException, InterruptedException {
    return await(client.getChildren(path, watcher));
  }

  public List<String> getChildren(String path) throws PaddockException, InterruptedException {
    return getChildren(path, null);
  }

  public AclResult getACL(String path) throws PaddockException, InterruptedException {
    return await(client.getACL(path));
  }

  public Stat setACL(String path, List<Acl> acl, int aclVersion)
      throws PaddockException, InterruptedException {
    return await(client.setACL(path, acl, aclVersion));
  }

  public String sync(String path) throws PaddockException, InterruptedException {
    return await(client.sync(path));
  }

  public int getAllChildrenNumber(String path) throws PaddockException, InterruptedException {
    return await(client.getAllChildrenNumber(path));
  }

  public List<String> getEphemerals(String prefixPath)
      throws PaddockException, InterruptedException {
    return await(client.getEphemerals(prefixPath));
  }

  public List<ReadResult> multiRead(ReadOp... ops) throws PaddockException, InterruptedException {
    return await(client.multiRead(ops));
  }

  public List<OpResult> multi(List<Op> ops) throws PaddockException, InterruptedException {
    return await(client.multi(ops));
  }

  public List<OpResult> multi(Op... ops) throws PaddockException, InterruptedException {
    return await(client.multi(ops));
  }

  /** See {@link PaddockClient#getChildrenPage}. */
  public ChildrenPage getChildrenPage(String path, PageOptions options)
      throws PaddockException, InterruptedException {
    return await(client.getChildrenPage(path, options));
  }

  /**
   * Every child name, sorted, read a page at a time as the iteration goes ({@link
   * ChildrenListing}); the options give the page size, a name prefix and a page token to start
   * after.
   */
  public ChildrenListing listChildren(String path, PageOptions options) {
    return new ChildrenListing(this, path, options);
  }

  public ChildrenListing listChildren(String path) {
    return listChildren(path, PageOptions.defaults());
  }

  /** How many children the node has, without their names. */
  public int countChildren(String path) throws PaddockException, InterruptedException {
    return countChildren(path, null);
  }

  /** How many children have a name starting with prefix (null: all). */
  public int countChildren(String path, String prefix)
      throws PaddockException, InterruptedException {
    return await(client.countChildren(path, prefix));
  }

  /** The node's data read in pieces ({@link PaddockClient#getDataChunks}), joined. */
  public DataResult getDataChunked(String path, int chunkBytes, boolean linearizable)
      throws PaddockException {
    try (DataChunks chunks = client.getDataChunks(path, chunkBytes, linearizable)) {
      return chunks.readAll();
    }
  }

  public DataResult getDataChunked(String path, int chunkBytes) throws PaddockException {
    return getDataChunked(path, chunkBytes, false);
  }

  /** See {@link PaddockClient#txn}. */
  public TxnResult txn(Txn txn) throws PaddockException, InterruptedException {
    return await(client.txn(txn));
  }

  public void addWatch(String path, Watcher watcher, AddWatchMode mode)
      throws PaddockException, InterruptedException {
    await(client.addWatch(path, watcher, mode));
  }

  public void removeWatches(String path, Watcher watcher, WatcherType type)
      throws PaddockException, InterruptedException {
    await(client.removeWatches(path, watcher, type));
  }

  public void removeAllWatches(String path, WatcherType type)
      throws PaddockException, InterruptedException {
    await(client.removeAllWatches(path, type));
  }

  public void addAuth(String scheme, byte[] auth) throws PaddockException, InterruptedException {
    await(client.addAuth(scheme, auth));
  }

  /** See {@link PaddockClient#reconfig}. */
  public DataResult reconfig(
      List<String> joining, List<String> leaving, List<String> newMembers, long fromConfig)
      throws PaddockException, InterruptedException {
    return await(client.reconfig(joining, leaving, newMembers, fromConfig));
  }

  public List<ClientInfo> whoAmI() throws PaddockException, InterruptedException {
    return await(client.whoAmI());
  }
}
