package dev.paddock.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import paddock.v1.Session;

/**
 * The client's side of the watches: which Watcher objects wait on which path, by kind. The server
 * only knows "this session watches this path"; this maps its events back to objects, with
 * ZooKeeper's client rules (one-time watches are removed as they fire; a watcher set twice on the
 * same path hears one event). Touched only by the I/O thread.
 */
final class WatchRegistry {
  enum Kind {
    DATA,
    EXIST,
    CHILD,
    PERSISTENT,
    PERSISTENT_RECURSIVE
  }

  private final Map<Kind, Map<String, Set<Watcher>>> byKind = new HashMap<>();

  WatchRegistry() {
    for (Kind k : Kind.values()) {
      byKind.put(k, new HashMap<>());
    }
  }

  void add(Kind kind, String path, Watcher watcher) {
    byKind.get(kind).computeIfAbsent(path, p -> new LinkedHashSet<>()).add(watcher);
  }

  /** The watchers an event reaches; one-time ones are removed. */
  Set<Watcher> materialize(EventType type, String path) {
    Set<Watcher> out = new LinkedHashSet<>();
    switch (type) {
      case NODE_CREATED, NODE_DATA_CHANGED -> {
        take(Kind.DATA, path, out);
        take(Kind.EXIST, path, out);
      }
      case NODE_DELETED -> {
        take(Kind.DATA, path, out);
        take(Kind.EXIST, path, out);
        take(Kind.CHILD, path, out);
      }
      case NODE_CHILDREN_CHANGED -> take(Kind.CHILD, path, out);
      default -> {
        return out;
      }
    }
    Set<Watcher> persistent = byKind.get(Kind.PERSISTENT).get(path);
    if (persistent != null) {
      out.addAll(persistent);
    }
    // Recursive watches hear node events of the path and every descendant, but no children events.
    if (type != EventType.NODE_CHILDREN_CHANGED) {
      Map<String, Set<Watcher>> recursive = byKind.get(Kind.PERSISTENT_RECURSIVE);
      if (!recursive.isEmpty()) {
        String p = path;
        while (true) {
          Set<Watcher> ws = recursive.get(p);
          if (ws != null) {
            out.addAll(ws);
          }
          if (p.equals("/")) {
            break;
          }
          int slash = p.lastIndexOf('/');
          p = slash == 0 ? "/" : p.substring(0, slash);
        }
      }
    }
    return out;
  }

  private void take(Kind kind, String path, Set<Watcher> out) {
    Set<Watcher> ws = byKind.get(kind).remove(path);
    if (ws != null) {
      out.addAll(ws);
    }
  }

  private static List<Kind> kindsOf(WatcherType type) {
    return switch (type) {
      case CHILDREN -> List.of(Kind.CHILD);
      case DATA -> List.of(Kind.DATA, Kind.EXIST);
      case ANY ->
          List.of(Kind.CHILD, Kind.DATA, Kind.EXIST, Kind.PERSISTENT, Kind.PERSISTENT_RECURSIVE);
      case PERSISTENT -> List.of(Kind.PERSISTENT);
      case PERSISTENT_RECURSIVE -> List.of(Kind.PERSISTENT_RECURSIVE);
    };
  }

  private static EventType removedEvent(Kind kind) {
    return switch (kind) {
      case CHILD -> EventType.CHILD_WATCH_REMOVED;
      case DATA, EXIST -> EventType.DATA_WATCH_REMOVED;
      case PERSISTENT, PERSISTENT_RECURSIVE -> EventType.PERSISTENT_WATCH_REMOVED;
    };
  }

  /** Whether removing (watcher or all, if null) of this type from path would remove anything. */
  boolean contains(String path, Watcher watcher, WatcherType type) {
    for (Kind k : kindsOf(type)) {
      Set<Watcher> ws = byKind.get(k).get(path);
      if (ws != null && (watcher == null ? !ws.isEmpty() : ws.contains(watcher))) {
        return true;
      }
    }
    return false;
  }

  /** Removes and returns each removed watcher with the removal event it is owed. */
  Map<Watcher, EventType> remove(String path, Watcher watcher, WatcherType type) {
    Map<Watcher, EventType> removed = new LinkedHashMap<>();
    for (Kind k : kindsOf(type)) {
      Map<String, Set<Watcher>> m = byKind.get(k);
      Set<Watcher> ws = m.get(path);
      if (ws == null) {
        continue;
      }
      if (watcher == null) {
        for (Watcher w : ws) {
          removed.putIfAbsent(w, removedEvent(k));
        }
        m.remove(path);
      } else if (ws.remove(watcher)) {
        removed.putIfAbsent(watcher, removedEvent(k));
        if (ws.isEmpty()) {
          m.remove(path);
        }
      }
    }
    return removed;
  }

  /** True when no watcher of any kind of this type remains on path (the server may drop it). */
  boolean noneLeft(String path, WatcherType type) {
    for (Kind k : kindsOf(type)) {
      if (byKind.get(k).containsKey(path)) {
        return false;
      }
    }
    return true;
  }

  boolean isEmpty() {
    for (Map<String, Set<Watcher>> m : byKind.values()) {
      if (!m.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  void clear() {
    for (Map<String, Set<Watcher>> m : byKind.values()) {
      m.clear();
    }
  }

  /** What to re-register on resume; changes after relativeZxid fire at once on the server. */
  Session.SetWatches toSetWatches(long relativeZxid) {
    return Session.SetWatches.newBuilder()
        .setRelativeZxid(relativeZxid)
        .addAllDataWatches(paths(Kind.DATA))
        .addAllExistWatches(paths(Kind.EXIST))
        .addAllChildWatches(paths(Kind.CHILD))
        .addAllPersistentWatches(paths(Kind.PERSISTENT))
        .addAllPersistentRecursiveWatches(paths(Kind.PERSISTENT_RECURSIVE))
        .build();
  }

  private List<String> paths(Kind kind) {
    return new ArrayList<>(byKind.get(kind).keySet());
  }
}
