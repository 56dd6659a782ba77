import { describe, expect, it } from "vitest";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import {
  type NodeVersions,
  type SetWatches,
  type WatchEventOut,
  WatchRegistry,
} from "../../../server/watches/watch-registry.js";
import { EventType, NO_ZXID, WatcherType } from "../../../server/watches/watch-types.js";

const { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged } = EventType;

function fire(reg: WatchRegistry, path: string, type: number): bigint[] {
  const out: WatchEventOut[] = [];
  reg.trigger(path, type, 1, out);
  return out.map((e) => e.sessionId);
}

function thrown(f: () => unknown): PaddockError {
  try {
    f();
  } catch (e) {
    if (e instanceof PaddockError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

function registry(max = 1000): WatchRegistry {
  return new WatchRegistry({ watchesPerSessionMax: max });
}

describe("remove (removeWatches)", () => {
  function removed(reg: WatchRegistry, sid: bigint, path: string, type: number): [boolean, number[]] {
    const out: WatchEventOut[] = [];
    const result = reg.remove(sid, path, type, out);
    for (const e of out) expect(e).toMatchObject({ sessionId: sid, path, zxid: NO_ZXID });
    return [result, out.map((e) => e.type)];
  }

  it("Children removes a child watch with ChildWatchRemoved; again is false (NoWatcher)", () => {
    const reg = registry();
    reg.addChild(1n, "/a");
    reg.addData(1n, "/a");
    expect(removed(reg, 1n, "/a", WatcherType.Children)).toEqual([true, [EventType.ChildWatchRemoved]]);
    expect(removed(reg, 1n, "/a", WatcherType.Children)).toEqual([false, []]);
    expect(fire(reg, "/a", NodeChildrenChanged)).toEqual([]);
    expect(fire(reg, "/a", NodeDataChanged)).toEqual([1n]);
  });

  it("Data removes data and exist watches with one DataWatchRemoved, and leaves the child watch", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addExist(1n, "/a");
    reg.addChild(1n, "/a");
    expect(removed(reg, 1n, "/a", WatcherType.Data)).toEqual([true, [EventType.DataWatchRemoved]]);
    expect(reg.countOf(1n)).toBe(1);
    expect(removed(reg, 1n, "/a", WatcherType.Data)).toEqual([false, []]);
  });

  it("Data on an exist watch alone removes it", () => {
    const reg = registry();
    reg.addExist(1n, "/a");
    expect(removed(reg, 1n, "/a", WatcherType.Data)).toEqual([true, [EventType.DataWatchRemoved]]);
    expect(fire(reg, "/a", NodeCreated)).toEqual([]);
  });

  it("Any removes every kind, persistent included, with one event per removed-event type", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addChild(1n, "/a");
    reg.addPersistent(1n, "/a", false);
    reg.addPersistent(1n, "/a", true);
    expect(removed(reg, 1n, "/a", WatcherType.Any)).toEqual([
      true,
      [EventType.DataWatchRemoved, EventType.ChildWatchRemoved, EventType.PersistentWatchRemoved],
    ]);
    expect(reg.size).toBe(0);
    expect(removed(reg, 1n, "/a", WatcherType.Any)).toEqual([false, []]);
    expect(fire(reg, "/a/b", NodeCreated)).toEqual([]);
  });

  it("Persistent and PersistentRecursive remove only their own kind (ZooKeeper 3.9's per-mode removal)", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addPersistent(1n, "/a", false);
    reg.addPersistent(1n, "/a", true);
    expect(removed(reg, 1n, "/a", WatcherType.Persistent)).toEqual([
      true,
      [EventType.PersistentWatchRemoved],
    ]);
    expect(removed(reg, 1n, "/a", WatcherType.Persistent)).toEqual([false, []]);
    expect(fire(reg, "/a/b", NodeCreated)).toEqual([1n]);
    expect(removed(reg, 1n, "/a", WatcherType.PersistentRecursive)).toEqual([
      true,
      [EventType.PersistentWatchRemoved],
    ]);
    expect(fire(reg, "/a/b", NodeCreated)).toEqual([]);
    expect(reg.countOf(1n)).toBe(1);
    expect(fire(reg, "/a", NodeDataChanged)).toEqual([1n]);
  });

  it("Data does not remove a persistent watch, and a type that holds nothing is false", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", false);
    expect(removed(reg, 1n, "/a", WatcherType.Data)).toEqual([false, []]);
    expect(removed(reg, 1n, "/a", WatcherType.Children)).toEqual([false, []]);
    expect(removed(reg, 1n, "/a", WatcherType.PersistentRecursive)).toEqual([false, []]);
    expect(fire(reg, "/a", NodeChildrenChanged)).toEqual([1n]);
  });

  it("only the asking session's watches are removed", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    expect(removed(reg, 2n, "/a", WatcherType.Any)).toEqual([false, []]);
    expect(removed(reg, 1n, "/b", WatcherType.Any)).toEqual([false, []]);
    expect(fire(reg, "/a", NodeDataChanged)).toEqual([1n]);
  });

  it("an unknown watcher type is BadArguments", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    for (const type of [0, 6, -1]) {
      expect(thrown(() => reg.remove(1n, "/a", type, [])).code).toBe(Code.BadArguments);
    }
  });
});

describe("watchesPerSessionMax", () => {
  it("each add throws QuotaExceeded naming the limit and path; re-adding a held watch is free", () => {
    const reg = registry(3);
    reg.addData(1n, "/a");
    reg.addChild(1n, "/a");
    reg.addPersistent(1n, "/b", true);
    reg.addData(1n, "/a");
    reg.addPersistent(1n, "/b", true);
    for (const add of [
      () => reg.addData(1n, "/c"),
      () => reg.addExist(1n, "/c"),
      () => reg.addChild(1n, "/b"),
      () => reg.addPersistent(1n, "/a", false),
      () => reg.addPersistent(1n, "/a", true),
    ]) {
      const e = thrown(add);
      expect(e.code).toBe(Code.QuotaExceeded);
      expect(e.message).toContain("watchesPerSessionMax (3)");
      expect(e.path).toMatch(/^\/[abc]$/);
    }
    expect(reg.countOf(1n)).toBe(3);
    reg.addData(2n, "/c"); // another session has its own budget
  });

  it("a fired one-time watch frees its slot", () => {
    const reg = registry(1);
    reg.addData(1n, "/a");
    fire(reg, "/a", NodeDeleted);
    reg.addExist(1n, "/a");
    expect(reg.countOf(1n)).toBe(1);
  });

  it("rejects a limit that is not a positive integer", () => {
    for (const max of [0, -1, 1.5]) {
      expect(thrown(() => new WatchRegistry({ watchesPerSessionMax: max })).message).toContain(
        "watchesPerSessionMax",
      );
    }
  });
});

describe("removeSession", () => {
  it("forgets every watch of the session and nobody else's", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addChild(1n, "/a");
    reg.addPersistent(1n, "/", true);
    reg.addExist(1n, "/b");
    reg.addData(2n, "/a");
    reg.removeSession(1n);
    reg.removeSession(1n);
    expect(reg.countOf(1n)).toBe(0);
    expect(reg.size).toBe(1);
    expect(reg.byPath()).toEqual(new Map([["/a", [2n]]]));
    expect(fire(reg, "/b", NodeCreated)).toEqual([]);
    expect(fire(reg, "/c/d", NodeCreated)).toEqual([]);
    expect(fire(reg, "/a", NodeDeleted)).toEqual([2n]);
  });
});

describe("size, countOf, bySession, byPath", () => {
  it("count each (path, kind) once, list each path once per session", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addExist(1n, "/a");
    reg.addChild(1n, "/a");
    reg.addPersistent(1n, "/a", false);
    reg.addPersistent(1n, "/a", true);
    reg.addChild(-2n, "/b");
    reg.addChild(-2n, "/a");
    expect(reg.countOf(1n)).toBe(5);
    expect(reg.countOf(-2n)).toBe(2);
    expect(reg.countOf(3n)).toBe(0);
    expect(reg.size).toBe(7);
    expect(reg.bySession()).toEqual(
      new Map([
        [1n, ["/a"]],
        [-2n, ["/b", "/a"]],
      ]),
    );
    expect(reg.byPath()).toEqual(
      new Map([
        ["/a", [1n, -2n]],
        ["/b", [-2n]],
      ]),
    );
  });
});

describe("setWatches (ZooKeeper's reconnect)", () => {
  const nodes = new Map<string, NodeVersions>([
    ["/old", { czxid: 5, mzxid: 10, pzxid: 10 }],
    ["/new-data", { czxid: 5, mzxid: 30, pzxid: 10 }],
    ["/new-kids", { czxid: 5, mzxid: 10, pzxid: 30 }],
  ]);
  const lookup = (path: string): NodeVersions | undefined => nodes.get(path);
  const none: SetWatches = {
    relativeZxid: 20,
    data: [],
    exist: [],
    child: [],
    persistent: [],
    persistentRecursive: [],
  };

  function apply(reg: WatchRegistry, sw: Partial<SetWatches>): [number, string][] {
    const out: WatchEventOut[] = [];
    reg.setWatches(7n, { ...none, ...sw }, lookup, out);
    for (const e of out) expect(e).toMatchObject({ sessionId: 7n, zxid: NO_ZXID });
    return out.map((e) => [e.type, e.path]);
  }

  it("data: gone → NodeDeleted, mzxid > relativeZxid → NodeDataChanged, else registered", () => {
    const reg = registry();
    expect(apply(reg, { data: ["/gone", "/new-data", "/old", "/new-kids"] })).toEqual([
      [NodeDeleted, "/gone"],
      [NodeDataChanged, "/new-data"],
    ]);
    expect(reg.bySession().get(7n)).toEqual(["/old", "/new-kids"]);
    expect(fire(reg, "/old", NodeDataChanged)).toEqual([7n]);
    expect(fire(reg, "/new-kids", NodeChildrenChanged)).toEqual([]);
  });

  it("data: mzxid equal to relativeZxid is not a missed change", () => {
    const reg = registry();
    expect(apply(reg, { relativeZxid: 30, data: ["/new-data"] })).toEqual([]);
    expect(reg.countOf(7n)).toBe(1);
  });

  it("exist: node exists → NodeCreated, missing → registered as an exist watch", () => {
    const reg = registry();
    expect(apply(reg, { exist: ["/old", "/gone"] })).toEqual([[NodeCreated, "/old"]]);
    expect(reg.bySession().get(7n)).toEqual(["/gone"]);
    expect(fire(reg, "/gone", NodeCreated)).toEqual([7n]);
  });

  it("child: gone → NodeDeleted, pzxid > relativeZxid → NodeChildrenChanged, else registered", () => {
    const reg = registry();
    expect(apply(reg, { child: ["/gone", "/new-kids", "/new-data"] })).toEqual([
      [NodeDeleted, "/gone"],
      [NodeChildrenChanged, "/new-kids"],
    ]);
    expect(reg.bySession().get(7n)).toEqual(["/new-data"]);
    expect(fire(reg, "/new-data", NodeDataChanged)).toEqual([]);
    expect(fire(reg, "/new-data", NodeChildrenChanged)).toEqual([7n]);
  });

  it("persistent and recursive are re-registered and never fire, even on gone or changed nodes (as 3.8/3.9)", () => {
    const reg = registry();
    expect(
      apply(reg, { persistent: ["/gone", "/new-data"], persistentRecursive: ["/new-kids", "/"] }),
    ).toEqual([]);
    expect(reg.countOf(7n)).toBe(4);
    expect(fire(reg, "/gone", NodeChildrenChanged)).toEqual([7n]);
    expect(fire(reg, "/x/y", NodeCreated)).toEqual([7n]);
  });

  it("one event per listed path, in the order data, exist, child (ZooKeeper does not merge them)", () => {
    const reg = registry();
    expect(apply(reg, { child: ["/gone"], exist: ["/old"], data: ["/gone"] })).toEqual([
      [NodeDeleted, "/gone"],
      [NodeCreated, "/old"],
      [NodeDeleted, "/gone"],
    ]);
  });

  it("over the limit throws QuotaExceeded before changing anything; duplicates and held watches count once", () => {
    const reg = registry(3);
    reg.addData(7n, "/old");
    const out: WatchEventOut[] = [];
    const e = thrown(() =>
      reg.setWatches(
        7n,
        { ...none, data: ["/gone", "/old", "/old"], child: ["/old"], persistent: ["/p", "/q"] },
        lookup,
        out,
      ),
    );
    expect(e.code).toBe(Code.QuotaExceeded);
    expect(e.path).toBe("/q");
    expect(e.message).toContain("watchesPerSessionMax (3)");
    expect(out).toEqual([]);
    expect(reg.countOf(7n)).toBe(1);
    // The same list without /q fits exactly.
    reg.setWatches(
      7n,
      { ...none, data: ["/gone", "/old", "/old"], child: ["/old"], persistent: ["/p"] },
      lookup,
      out,
    );
    expect(out.map((x) => x.type)).toEqual([NodeDeleted]);
    expect(reg.countOf(7n)).toBe(3);
  });
});
