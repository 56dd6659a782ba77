// Scenario runner on ZooKeeper's own Java client (Debian's 3.8 jar). Run as a single-file program:
//   java -cp "<zookeeper jars>" Runner.java CONNECT ROOT SCENARIOS.json NAME...
// Prints one JSON object per step (see ../README.md). Every call uses the async API because its
// callbacks and watch events come through the one EventThread in the order the client received them,
// so the transcript shows events before or after a reply exactly as they arrived.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.function.Consumer;
import org.apache.zookeeper.*;
import org.apache.zookeeper.data.*;

public class Runner {
  static final ObjectMapper M = new ObjectMapper();
  static final Set<String> FEATURES = Set.of("sync", "container", "ttl", "addWatch", "removeWatches",
      "getEphemerals", "getAllChildrenNumber", "whoAmI", "expire");
  static final long DEADLINE_MS = 10_000;
  static JsonNode codes;
  static String connect, base;
  static boolean rootMade;

  /** A reply delivered by a callback; also the marker of its position among the events. */
  static final class Reply {
    int rc; String path; byte[] data; Stat stat; List<String> children; List<ACL> acl; List<OpResult> results; int count;
    boolean done;
  }

  /** One session: the watcher for everything it sets and the log the EventThread appends to. */
  static final class Session implements Watcher {
    final String name; ZooKeeper zk;
    final ArrayDeque<Object> log = new ArrayDeque<>();
    final List<String> states = new ArrayList<>();
    Session(String name) { this.name = name; }
    public synchronized void process(WatchedEvent e) {
      if (e.getType() == Event.EventType.None) states.add(e.getState().name());
      else log.add(e);
      notifyAll();
    }
    synchronized void mark(Reply r) { r.done = true; log.add(r); notifyAll(); }
    /** Waits for the reply, then prints the events received before it and drops them. */
    void await(Reply r) throws Exception {
      synchronized (this) {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        while (!r.done) { long left = end - System.currentTimeMillis(); if (left <= 0) throw new Exception("no reply in time"); wait(left); }
      }
      flushUntil(r);
    }
    synchronized void flushUntil(Object marker) {
      while (!log.isEmpty()) {
        Object o = log.pollFirst();
        if (o == marker) return;
        if (o instanceof WatchedEvent) printEvent(this, (WatchedEvent) o);
      }
    }
    synchronized int events() { int n = 0; for (Object o : log) if (o instanceof WatchedEvent) n++; return n; }
  }

  public static void main(String[] args) throws Exception {
    connect = args[0];
    String root = args[1];
    JsonNode all = M.readTree(new File(args[2]));
    codes = M.readTree(new File(new File(args[2]).getParentFile(), "codes.json"));
    for (int i = 3; i < args.length; i++) {
      String name = args[i];
      base = root + "/" + name;
      ObjectNode begin = M.createObjectNode().put("scenario", name);
      JsonNode sc = all.get(name);
      List<String> missing = new ArrayList<>();
      for (JsonNode f : sc.path("requires")) if (!FEATURES.contains(f.asText())) missing.add(f.asText());
      if (!missing.isEmpty()) { begin.put("skipped", String.join(",", missing)); print(begin); continue; }
      print(begin);
      Map<String, Session> sessions = new LinkedHashMap<>();
      int i2 = 0;
      try {
        for (JsonNode step : sc.get("steps")) {
          try {
            step(sessions, step, i2++);
          } catch (IllegalArgumentException e) { // the client's own argument checks: the script goes on
            print(M.createObjectNode().put("i", i2 - 1).put("op", step.get("op").asText()).put("s", step.path("s").asText("A"))
                .put("path", step.path("path").asText(null)).put("refused", e.getMessage()));
          }
        }
      } catch (Exception e) {
        print(M.createObjectNode().put("i", i2 - 1).put("crash", e.toString()));
      }
      for (Session s : sessions.values()) if (s.zk != null) s.zk.close();
    }
    System.out.flush();
    System.exit(0);
  }

  static String full(String p) { return p.equals("/") ? base : base + p; }
  static String rel(String p) {
    if (p == null) return null;
    if (p.equals(base)) return "/";
    return p.startsWith(base + "/") ? p.substring(base.length()) : p;
  }
  static String codeName(int rc) { JsonNode n = codes.get(Integer.toString(rc)); return n == null ? "Code" + rc : n.asText(); }
  static synchronized void print(ObjectNode o) {
    try { System.out.println(M.writeValueAsString(o)); } catch (Exception e) { throw new RuntimeException(e); }
  }
  static void printEvent(Session s, WatchedEvent e) {
    print(M.createObjectNode().put("event", e.getType().name()).put("s", s.name).put("path", rel(e.getPath())));
  }
  static ObjectNode stat(Stat st) {
    if (st == null) return null;
    return M.createObjectNode().put("czxid", Long.toString(st.getCzxid())).put("mzxid", Long.toString(st.getMzxid()))
        .put("pzxid", Long.toString(st.getPzxid())).put("ctime", st.getCtime()).put("mtime", st.getMtime())
        .put("version", st.getVersion()).put("cversion", st.getCversion()).put("aversion", st.getAversion())
        .put("ephemeralOwner", Long.toString(st.getEphemeralOwner())).put("dataLength", st.getDataLength())
        .put("numChildren", st.getNumChildren());
  }
  static List<ACL> acl(JsonNode j) {
    if (j == null || j.isMissingNode() || j.asText().equals("open")) return ZooDefs.Ids.OPEN_ACL_UNSAFE;
    List<ACL> out = new ArrayList<>();
    for (JsonNode a : j) out.add(new ACL(a.get("perms").asInt(), new Id(a.get("scheme").asText(), a.get("id").asText())));
    return out;
  }
  static ArrayNode aclJson(List<ACL> acl) {
    ArrayNode out = M.createArrayNode();
    for (ACL a : acl) out.addObject().put("perms", a.getPerms()).put("scheme", a.getId().getScheme()).put("id", a.getId().getId());
    return out;
  }
  static CreateMode mode(String m) {
    switch (m == null ? "persistent" : m) {
      case "persistent": return CreateMode.PERSISTENT;
      case "ephemeral": return CreateMode.EPHEMERAL;
      case "persistent_sequential": return CreateMode.PERSISTENT_SEQUENTIAL;
      case "ephemeral_sequential": return CreateMode.EPHEMERAL_SEQUENTIAL;
      case "container": return CreateMode.CONTAINER;
      case "persistent_with_ttl": return CreateMode.PERSISTENT_WITH_TTL;
      case "persistent_sequential_with_ttl": return CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
      default: throw new IllegalStateException("mode " + m);
    }
  }
  static byte[] bytes(JsonNode step) { return step.path("data").asText("").getBytes(StandardCharsets.UTF_8); }
  static String text(byte[] b) { return b == null ? null : new String(b, StandardCharsets.UTF_8); }

  /** Opens a session and waits (deadline) for SyncConnected. */
  static ZooKeeper open(Session s, long id, byte[] pw) throws Exception {
    ZooKeeper zk = id == 0 ? new ZooKeeper(connect, 10_000, s) : new ZooKeeper(connect, 10_000, s, id, pw);
    waitState(s, "SyncConnected");
    return zk;
  }
  static void waitState(Session s, String state) throws Exception {
    long end = System.currentTimeMillis() + DEADLINE_MS;
    synchronized (s) {
      while (!s.states.contains(state)) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) throw new Exception("no " + state + " in time; states " + s.states);
        s.wait(left);
      }
    }
  }

  static void step(Map<String, Session> sessions, JsonNode step, int i) throws Exception {
    String op = step.get("op").asText();
    String sname = step.path("s").asText("A");
    ObjectNode line = M.createObjectNode().put("i", i).put("op", op).put("s", sname);
    if (step.has("path")) line.put("path", step.get("path").asText());
    if (op.equals("connect")) {
      Session s = new Session(sname);
      s.zk = open(s, 0, null);
      sessions.put(sname, s);
      if (!rootMade) {
        try { s.zk.create(base.substring(0, base.lastIndexOf('/')), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT); }
        catch (KeeperException.NodeExistsException e) { /* another run made it */ }
        rootMade = true;
      }
      line.putObject("ok").put("session", Long.toString(s.zk.getSessionId()));
      print(line);
      return;
    }
    Session s = sessions.get(sname);
    ZooKeeper zk = s.zk;
    String path = step.has("path") ? full(step.get("path").asText()) : null;
    int version = step.path("version").asInt(-1);
    boolean watch = step.path("watch").asBoolean(false);
    Watcher w = watch ? s : null;
    Reply r = new Reply();
    ObjectNode ok = M.createObjectNode();
    switch (op) {
      case "close": {
        zk.close();
        waitState(s, "Closed"); // delivered after every event received before the close
        s.flushUntil(null);
        s.zk = null;
        line.set("ok", ok);
        print(line);
        return;
      }
      case "wait": {
        int n = step.get("events").asInt();
        long end = System.currentTimeMillis() + DEADLINE_MS;
        synchronized (s) {
          while (s.events() < n && System.currentTimeMillis() < end) s.wait(Math.max(1, end - System.currentTimeMillis()));
          int got = 0;
          while (got < n && !s.log.isEmpty()) { Object o = s.log.pollFirst(); if (o instanceof WatchedEvent) { printEvent(s, (WatchedEvent) o); got++; } }
          line.put("got", got);
        }
        print(line);
        return;
      }
      case "waitState": {
        waitState(s, step.get("state").asText());
        line.set("ok", ok);
        print(line);
        return;
      }
      case "expire": {
        // Another connection resumes the session with its id and password and closes it: the
        // server ends the session at once, as an expiry would, without waiting for a timeout.
        Session clone = new Session(sname + "'");
        ZooKeeper z2 = open(clone, zk.getSessionId(), zk.getSessionPasswd());
        z2.close();
        line.set("ok", ok);
        print(line);
        return;
      }
      case "whoAmI": {
        List<ClientInfo> infos = zk.whoAmI();
        s.flushUntil(null); // synchronous only in 3.8: events already received print first
        ArrayNode a = ok.putArray("clients");
        for (ClientInfo c : infos) a.addObject().put("scheme", c.getAuthScheme()).put("id", c.getUser());
        line.set("ok", ok);
        print(line);
        return;
      }
      default:
    }
    call(s, op, step, path, version, w, r);
    s.await(r);
    if (r.rc != 0) {
      line.put("err", codeName(r.rc));
      if (r.results != null) line.set("results", multiResults(step, r.results));
      print(line);
      return;
    }
    switch (op) {
      case "create": ok.put("path", rel(r.path)).set("stat", stat(r.stat)); break;
      case "exists": ok.set("stat", stat(r.stat)); break;
      case "get": ok.put("data", text(r.data)).set("stat", stat(r.stat)); break;
      case "set": case "setAcl": ok.set("stat", stat(r.stat)); break;
      case "children": ok.set("children", M.valueToTree(r.children)); ok.set("stat", stat(r.stat)); break;
      case "getAcl": ok.set("acl", aclJson(r.acl)); ok.set("stat", stat(r.stat)); break;
      case "sync": ok.put("path", rel(r.path)); break;
      case "multi": ok.set("results", multiResults(step, r.results)); break;
      case "getEphemerals": { ArrayNode a = ok.putArray("ephemerals"); for (String p : r.children) a.add(rel(p)); break; }
      case "getAllChildrenNumber": ok.put("count", r.count); break;
      default:
    }
    line.set("ok", ok);
    print(line);
  }

  static void call(Session s, String op, JsonNode step, String path, int version, Watcher w, Reply r) throws Exception {
    ZooKeeper zk = s.zk;
    switch (op) {
      case "create": {
        AsyncCallback.Create2Callback cb = (rc, p, ctx, name, st) -> { r.rc = rc; r.path = name; r.stat = st; s.mark(r); };
        CreateMode m = mode(step.path("mode").asText(null));
        if (m.isTTL()) zk.create(path, bytes(step), acl(step.get("acl")), m, cb, null, step.path("ttl").asLong());
        else zk.create(path, bytes(step), acl(step.get("acl")), m, cb, null);
        return;
      }
      case "exists":
        zk.exists(path, w, (rc, p, ctx, st) -> { r.rc = rc == KeeperException.Code.NONODE.intValue() ? 0 : rc; r.stat = st; s.mark(r); }, null);
        return;
      case "get": zk.getData(path, w, (rc, p, ctx, d, st) -> { r.rc = rc; r.data = d; r.stat = st; s.mark(r); }, null); return;
      case "set": zk.setData(path, bytes(step), version, (rc, p, ctx, st) -> { r.rc = rc; r.stat = st; s.mark(r); }, null); return;
      case "delete": zk.delete(path, version, (rc, p, ctx) -> { r.rc = rc; s.mark(r); }, null); return;
      case "children":
        zk.getChildren(path, w, (AsyncCallback.Children2Callback) (rc, p, ctx, c, st) -> { r.rc = rc; r.children = c; r.stat = st; s.mark(r); }, null);
        return;
      case "getAcl": zk.getACL(path, null, (rc, p, ctx, a, st) -> { r.rc = rc; r.acl = a; r.stat = st; s.mark(r); }, null); return;
      case "setAcl": zk.setACL(path, acl(step.get("acl")), version, (rc, p, ctx, st) -> { r.rc = rc; r.stat = st; s.mark(r); }, null); return;
      case "addAuth": {
        zk.addAuthInfo(step.get("scheme").asText(), step.get("auth").asText().getBytes(StandardCharsets.UTF_8));
        // addauth has no reply to wait on: a read (answered after it, in order) is the fence.
        zk.exists("/", false, (rc, p, ctx, st) -> { r.rc = rc; s.mark(r); }, null);
        return;
      }
      case "sync": zk.sync(path, (rc, p, ctx) -> { r.rc = rc; r.path = p; s.mark(r); }, null); return;
      case "multi": {
        List<Op> ops = new ArrayList<>();
        for (JsonNode o : step.get("ops")) {
          String p = full(o.get("path").asText());
          int v = o.path("version").asInt(-1);
          switch (o.get("op").asText()) {
            case "create": ops.add(Op.create(p, bytes(o), acl(o.get("acl")), mode(o.path("mode").asText(null)))); break;
            case "delete": ops.add(Op.delete(p, v)); break;
            case "set": ops.add(Op.setData(p, bytes(o), v)); break;
            case "check": ops.add(Op.check(p, v)); break;
            default: throw new IllegalStateException(o.toString());
          }
        }
        zk.multi(ops, (rc, p, ctx, res) -> { r.rc = rc; r.results = res; s.mark(r); }, null);
        return;
      }
      case "addWatch": {
        AddWatchMode m = step.get("mode").asText().equals("persistent") ? AddWatchMode.PERSISTENT : AddWatchMode.PERSISTENT_RECURSIVE;
        zk.addWatch(path, s, m, (rc, p, ctx) -> { r.rc = rc; s.mark(r); }, null);
        return;
      }
      case "removeWatches": {
        String t = step.get("type").asText();
        Watcher.WatcherType type = t.equals("data") ? Watcher.WatcherType.Data : t.equals("children") ? Watcher.WatcherType.Children : Watcher.WatcherType.Any;
        zk.removeAllWatches(path, type, false, (rc, p, ctx) -> { r.rc = rc; s.mark(r); }, null);
        return;
      }
      case "getEphemerals": zk.getEphemerals(path, (rc, ctx, paths) -> { r.rc = rc; r.children = paths; s.mark(r); }, null); return;
      case "getAllChildrenNumber": zk.getAllChildrenNumber(path, (rc, p, ctx, n) -> { r.rc = rc; r.count = n; s.mark(r); }, null); return;
      default: throw new IllegalStateException("op " + op);
    }
  }

  static ArrayNode multiResults(JsonNode step, List<OpResult> results) {
    ArrayNode out = M.createArrayNode();
    if (results == null) return out;
    for (OpResult res : results) {
      ObjectNode o = out.addObject();
      if (res instanceof OpResult.ErrorResult) o.put("err", codeName(((OpResult.ErrorResult) res).getErr()));
      else if (res instanceof OpResult.CreateResult) o.put("path", rel(((OpResult.CreateResult) res).getPath()));
      else if (res instanceof OpResult.SetDataResult) o.set("stat", stat(((OpResult.SetDataResult) res).getStat()));
    }
    return out;
  }
}
