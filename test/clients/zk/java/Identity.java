// Identity scenarios on ZooKeeper's own Java client (Debian's 3.8 jar), for test/clients/zk/identity.test.ts.
//   java -cp "<zookeeper jars>" Identity.java watch CONNECT ROOT   what a watcher without READ receives
//   java -cp "<zookeeper jars>" Identity.java sasl CONNECT ROOT    a session with the JVM's JAAS Client section
// Prints one line per observation; the test compares the lines from Paddock and from ZooKeeper.
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import org.apache.zookeeper.*;
import org.apache.zookeeper.data.*;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

public class Identity {
  static final long DEADLINE_S = 10;

  /** A session's watcher: states and events in the order the EventThread delivers them. */
  static final class Log implements Watcher {
    final String name;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch connected = new CountDownLatch(1);
    final CountDownLatch saslDone = new CountDownLatch(1);
    Log(String name) { this.name = name; }
    public void process(WatchedEvent e) {
      if (e.getType() == Event.EventType.None) {
        lines.add(name + " state " + e.getState());
        if (e.getState() == Event.KeeperState.SyncConnected || e.getState() == Event.KeeperState.AuthFailed
            || e.getState() == Event.KeeperState.SaslAuthenticated) connected.countDown();
        if (e.getState() == Event.KeeperState.AuthFailed || e.getState() == Event.KeeperState.SaslAuthenticated)
          saslDone.countDown();
      } else {
        lines.add(name + " event " + e.getType() + " " + e.getPath());
      }
    }
  }

  static String root;
  static final List<String> out = new ArrayList<>();

  static ZooKeeper open(String connect, Log log) throws Exception {
    ZooKeeper zk = new ZooKeeper(connect, 10_000, log);
    if (!log.connected.await(DEADLINE_S, TimeUnit.SECONDS)) throw new Exception(log.name + ": no connection");
    return zk;
  }

  /** Every event the session received before this point: an async sync's callback comes after them. */
  static void drain(ZooKeeper zk, Log log, String label) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    zk.sync(root, (rc, path, ctx) -> done.countDown(), null);
    if (!done.await(DEADLINE_S, TimeUnit.SECONDS)) throw new Exception("sync did not return");
    synchronized (log.lines) {
      for (String line : log.lines) if (line.contains(" event ")) out.add(label + ": " + line.replace(root, ""));
      log.lines.removeIf(line -> line.contains(" event "));
    }
  }

  interface Call { Object run() throws Exception; }

  static void step(String what, Call call) {
    String result;
    try {
      Object r = call.run();
      result = r == null ? "ok" : "ok " + r;
    } catch (KeeperException e) {
      result = "err " + e.code();
    } catch (Exception e) {
      result = "crash " + e.getClass().getSimpleName();
    }
    out.add(what.replace(root, "") + " -> " + result.replace(root, ""));
  }

  static List<ACL> digest(String user, String password) throws Exception {
    String id = DigestAuthenticationProvider.generateDigest(user + ":" + password);
    return new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", id))));
  }

  static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static void watch(String connect) throws Exception {
    Log la = new Log("owner"), lb = new Log("watcher");
    ZooKeeper a = open(connect, la), w = open(connect, lb);
    a.addAuthInfo("digest", b("alice:pw"));
    List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE, alice = digest("alice", "pw");
    a.create(root, b(""), open, CreateMode.PERSISTENT);
    a.create(root + "/rec", b(""), open, CreateMode.PERSISTENT);
    a.create(root + "/rec/open", b("o"), open, CreateMode.PERSISTENT);
    a.create(root + "/rec/secret", b("s"), alice, CreateMode.PERSISTENT);
    a.create(root + "/rec/closed", b(""), alice, CreateMode.PERSISTENT);
    a.create(root + "/one", b(""), open, CreateMode.PERSISTENT);
    step("watcher getData /rec/secret watch", () -> new String(w.getData(root + "/rec/secret", true, null)));
    step("watcher getChildren /rec/closed watch", () -> w.getChildren(root + "/rec/closed", true));
    step("watcher addWatch /rec recursive", () -> { w.addWatch(root + "/rec", AddWatchMode.PERSISTENT_RECURSIVE); return null; });
    step("watcher getChildren /rec watch", () -> w.getChildren(root + "/rec", true).size());
    step("watcher getData /one watch", () -> new String(w.getData(root + "/one", true, null)));
    // exists checks READ on an existing node since ZooKeeper 3.8.4/3.9 (no watch is set then).
    step("watcher exists /rec/secret watch", () -> w.exists(root + "/rec/secret", true) != null);
    step("watcher exists /rec/open", () -> w.exists(root + "/rec/open", false) != null);
    step("watcher exists /rec/missing", () -> w.exists(root + "/rec/missing", false) != null);
    // Changes to nodes the watcher cannot read, and to readable ones beside them.
    step("owner setData /rec/secret", () -> a.setData(root + "/rec/secret", b("s2"), -1).getVersion());
    step("owner setData /rec/open", () -> a.setData(root + "/rec/open", b("o2"), -1).getVersion());
    step("owner create /rec/secret2", () -> a.create(root + "/rec/secret2", b(""), alice, CreateMode.PERSISTENT));
    step("owner create /rec/closed/kid (open)", () -> a.create(root + "/rec/closed/kid", b(""), open, CreateMode.PERSISTENT));
    step("owner create /rec/closed/hid", () -> a.create(root + "/rec/closed/hid", b(""), alice, CreateMode.PERSISTENT));
    step("owner delete /rec/secret2", () -> { a.delete(root + "/rec/secret2", -1); return null; });
    // The ACL at the moment of the event decides: the one-time watch on /one is spent unseen.
    step("owner setACL /one alice", () -> a.setACL(root + "/one", alice, -1).getAversion());
    step("owner setData /one", () -> a.setData(root + "/one", b("1"), -1).getVersion());
    step("owner setACL /one open", () -> a.setACL(root + "/one", open, -1).getAversion());
    step("owner setData /one again", () -> a.setData(root + "/one", b("2"), -1).getVersion());
    step("owner delete /rec/closed/hid", () -> { a.delete(root + "/rec/closed/hid", -1); return null; });
    drain(w, lb, "without READ");
    // The identities the session holds when the event fires decide, not those it watched with.
    // addAuthInfo does not wait for the server: a round trip on the same session orders it before
    // the owner's next write (without it, the event may be checked before the auth is added).
    step("watcher addauth digest alice", () -> { w.addAuthInfo("digest", b("alice:pw")); w.exists(root, false); return null; });
    step("owner setData /rec/secret", () -> a.setData(root + "/rec/secret", b("s3"), -1).getVersion());
    step("owner delete /rec/closed/kid", () -> { a.delete(root + "/rec/closed/kid", -1); return null; });
    drain(w, lb, "with READ");
    w.close();
    a.close();
  }

  static void sasl(String connect) throws Exception {
    Log l = new Log("client");
    ZooKeeper zk = new ZooKeeper(connect, 10_000, l);
    l.connected.await(DEADLINE_S, TimeUnit.SECONDS);
    // With a JAAS Client section the SASL outcome is a state change of its own.
    if (System.getProperty("java.security.auth.login.config") != null
        && !l.saslDone.await(DEADLINE_S, TimeUnit.SECONDS)) out.add("no SASL outcome in time");
    synchronized (l.lines) { out.addAll(l.lines); l.lines.clear(); }
    step("whoami", () -> {
      List<String> ids = new ArrayList<>();
      for (ClientInfo i : zk.whoAmI()) ids.add(i.getAuthScheme() + ":" + i.getUser());
      Collections.sort(ids);
      return ids.toString().replaceAll("ip:[0-9.]+", "ip:ADDR");
    });
    step("create / (open)", () -> zk.create(root, b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
    step("create /bob sasl:bob:cdrwa", () -> zk.create(root + "/bob", b("b"),
        new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("sasl", "bob")))), CreateMode.PERSISTENT));
    step("getData /bob", () -> new String(zk.getData(root + "/bob", false, null)));
    step("getACL /bob", () -> zk.getACL(root + "/bob", null));
    step("setACL /x sasl:a@b@c (invalid)", () -> zk.create(root + "/x", b(""),
        new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("sasl", "a@b@c")))), CreateMode.PERSISTENT));
    synchronized (l.lines) { out.addAll(l.lines); l.lines.clear(); }
    zk.close();
  }

  /** Waits (up to the deadline) until the session has seen `count` state changes, then prints them. */
  static void states(Log log, int count) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
    while (System.nanoTime() < until) {
      synchronized (log.lines) { if (log.lines.size() >= count) break; }
      Thread.sleep(20); // a poll with a deadline: the watcher offers no wait for "the next state"
    }
    synchronized (log.lines) { out.addAll(log.lines); log.lines.clear(); }
  }

  /**
   * enforce.auth.enabled / sessionRequireClientSASLAuth: a session without a required scheme is
   * refused on its first request and its connection closed; the client reconnects to the same
   * session, which is refused again. With the scheme (digest credentials or SASL) it is served.
   */
  static void enforce(String connect, String credentials) throws Exception {
    boolean sasl = System.getProperty("java.security.auth.login.config") != null;
    Log l = new Log(sasl ? "sasl" : credentials == null ? "anonymous" : "digest");
    ZooKeeper zk = new ZooKeeper(connect, 10_000, l);
    if (credentials != null) zk.addAuthInfo("digest", b(credentials));
    if (!l.connected.await(DEADLINE_S, TimeUnit.SECONDS)) throw new Exception(l.name + ": no connection");
    if (sasl && !l.saslDone.await(DEADLINE_S, TimeUnit.SECONDS)) out.add("no SASL outcome in time");
    int seen = sasl ? 2 : 1;
    step(l.name + " exists /", () -> zk.exists("/", false) != null);
    if (out.get(out.size() - 1).endsWith("SESSIONCLOSEDREQUIRESASLAUTH")) {
      // Disconnected, then SyncConnected again on a new connection.
      states(l, seen + 2);
      step(l.name + " exists / again", () -> zk.exists("/", false) != null);
    } else {
      step(l.name + " create " + root, () -> zk.create(root, b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
      states(l, seen);
    }
    zk.close();
  }

  public static void main(String[] args) throws Exception {
    root = args[2];
    switch (args[0]) {
      case "watch": watch(args[1]); break;
      case "sasl": sasl(args[1]); break;
      case "enforce": enforce(args[1], args.length > 3 ? args[3] : null); break;
      default: throw new IllegalArgumentException(args[0]);
    }
    for (String line : out) System.out.println(line);
    System.exit(0);
  }
}
