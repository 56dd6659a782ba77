import { describe, expect, it } from "vitest";
import { type WatchEventOut, WatchRegistry } from "../../../server/watches/watch-registry.js";
import { EventType } from "../../../server/watches/watch-types.js";

const { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged } = EventType;
const ALL_CHANGES = [NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged];

function fire(reg: WatchRegistry, path: string, type: number, zxid = 100): WatchEventOut[] {
  const out: WatchEventOut[] = [];
  reg.trigger(path, type, zxid, out);
  return out;
}

/** Who is notified, as [session, path] pairs. */
function who(events: WatchEventOut[]): [bigint, string][] {
  return events.map((e) => [e.sessionId, e.path]);
}

function registry(): WatchRegistry {
  return new WatchRegistry({ watchesPerSessionMax: 1000 });
}

/** One session per kind on /a: 1 data, 2 exist, 3 child. */
function oneOfEach(): WatchRegistry {
  const reg = registry();
  reg.addData(1n, "/a");
  reg.addExist(2n, "/a");
  reg.addChild(3n, "/a");
  return reg;
}

describe("trigger: which one-time watches fire (ZooKeeper DataTree + WatchManager)", () => {
  it("NodeCreated fires data and exist watches on the path, not child watches", () => {
    const reg = oneOfEach();
    expect(fire(reg, "/a", NodeCreated, 7)).toEqual([
      { sessionId: 1n, type: NodeCreated, path: "/a", zxid: 7 },
      { sessionId: 2n, type: NodeCreated, path: "/a", zxid: 7 },
    ]);
    expect(reg.countOf(3n)).toBe(1);
  });

  it("NodeDeleted fires data, exist and child watches on the path", () => {
    const reg = oneOfEach();
    expect(who(fire(reg, "/a", NodeDeleted))).toEqual([
      [1n, "/a"],
      [2n, "/a"],
      [3n, "/a"],
    ]);
    expect(reg.size).toBe(0);
  });

  it("NodeDataChanged fires data and exist watches, not child watches", () => {
    const reg = oneOfEach();
    expect(fire(reg, "/a", NodeDataChanged).map((e) => e.sessionId)).toEqual([1n, 2n]);
    expect(reg.countOf(3n)).toBe(1);
  });

  it("NodeChildrenChanged fires child watches only", () => {
    const reg = oneOfEach();
    expect(fire(reg, "/a", NodeChildrenChanged).map((e) => e.sessionId)).toEqual([3n]);
    expect(reg.countOf(1n) + reg.countOf(2n)).toBe(2);
  });

  it("one-time watches fire once and are removed; the ones that did not fire stay", () => {
    const reg = oneOfEach();
    expect(fire(reg, "/a", NodeDataChanged)).toHaveLength(2);
    expect(fire(reg, "/a", NodeDataChanged)).toEqual([]);
    expect(reg.size).toBe(1);
    expect(fire(reg, "/a", NodeChildrenChanged)).toHaveLength(1);
    expect(fire(reg, "/a", NodeChildrenChanged)).toEqual([]);
    expect(reg.size).toBe(0);
    expect(reg.bySession().size).toBe(0);
    expect(reg.byPath().size).toBe(0);
  });

  it("watches on other paths, parents or children do not fire (without recursive watches)", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addChild(1n, "/a");
    reg.addData(2n, "/a/b/c");
    reg.addData(3n, "/ab");
    for (const type of [NodeCreated, NodeDeleted, NodeDataChanged])
      expect(fire(reg, "/a/b", type)).toEqual([]);
    expect(reg.size).toBe(4);
  });

  it("a trigger with no watches anywhere leaves out alone", () => {
    const reg = registry();
    const out: WatchEventOut[] = [{ sessionId: 9n, type: 1, path: "/x", zxid: 1 }];
    reg.trigger("/x", NodeCreated, 2, out);
    expect(out).toHaveLength(1);
  });

  it("appends to the caller's array", () => {
    const reg = oneOfEach();
    const out: WatchEventOut[] = [];
    reg.trigger("/a", NodeDataChanged, 1, out);
    reg.trigger("/a", NodeChildrenChanged, 2, out);
    expect(out.map((e) => [e.sessionId, e.zxid])).toEqual([
      [1n, 1],
      [2n, 1],
      [3n, 2],
    ]);
  });

  it("asserts on an event type that no change fires", () => {
    const reg = oneOfEach();
    for (const type of [EventType.None, EventType.DataWatchRemoved, 99]) {
      expect(() => fire(reg, "/a", type)).toThrow(/not fired by a change/);
    }
  });
});

describe("trigger: persistent watches (addWatch PERSISTENT)", () => {
  it("get every event type on exactly their path and stay, also after NodeDeleted", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", false);
    for (const type of [...ALL_CHANGES, ...ALL_CHANGES]) {
      expect(fire(reg, "/a", type, 5)).toEqual([{ sessionId: 1n, type, path: "/a", zxid: 5 }]);
    }
    expect(reg.countOf(1n)).toBe(1);
  });

  it("do not fire for descendants", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", false);
    for (const type of ALL_CHANGES) expect(fire(reg, "/a/b", type)).toEqual([]);
  });
});

describe("trigger: persistent recursive watches (addWatch PERSISTENT_RECURSIVE)", () => {
  it("get NodeCreated, NodeDeleted, NodeDataChanged on the path and every descendant, and stay", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", true);
    for (const path of ["/a", "/a/b", "/a/b/c/d"]) {
      for (const type of [NodeCreated, NodeDataChanged, NodeDeleted]) {
        expect(fire(reg, path, type, 3)).toEqual([{ sessionId: 1n, type, path, zxid: 3 }]);
      }
    }
    expect(reg.countOf(1n)).toBe(1);
  });

  it("never get NodeChildrenChanged, on the path or below", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", true);
    expect(fire(reg, "/a", NodeChildrenChanged)).toEqual([]);
    expect(fire(reg, "/a/b", NodeChildrenChanged)).toEqual([]);
  });

  it("do not fire for siblings that share a prefix, nor for ancestors", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", true);
    expect(fire(reg, "/ab", NodeCreated)).toEqual([]);
    expect(fire(reg, "/", NodeDataChanged)).toEqual([]);
  });

  it("on / see every node, / included", () => {
    const reg = registry();
    reg.addPersistent(1n, "/", true);
    expect(fire(reg, "/", NodeDataChanged).map((e) => e.path)).toEqual(["/"]);
    expect(fire(reg, "/x/y", NodeCreated).map((e) => e.path)).toEqual(["/x/y"]);
  });

  it("an ancestor's one-time watches are not fired by a descendant's event", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", true);
    reg.addData(2n, "/a");
    reg.addPersistent(3n, "/a", false);
    expect(fire(reg, "/a/b", NodeDataChanged).map((e) => e.sessionId)).toEqual([1n]);
    expect(reg.countOf(2n)).toBe(1);
  });
});

describe("trigger: one event per session per call (ZooKeeper dedups per watcher)", () => {
  it("data and child watch of one session on a deleted node: one NodeDeleted, both spent", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addExist(1n, "/a");
    reg.addChild(1n, "/a");
    expect(fire(reg, "/a", NodeDeleted)).toHaveLength(1);
    expect(reg.countOf(1n)).toBe(0);
  });

  it("one-time and persistent watch of one session on the path: one event, the one-time spent, the persistent kept (ZooKeeper 3.9, ZOOKEEPER-4466)", () => {
    const reg = registry();
    reg.addPersistent(1n, "/a", false);
    reg.addData(1n, "/a");
    expect(reg.countOf(1n)).toBe(2);
    expect(fire(reg, "/a", NodeDataChanged)).toHaveLength(1);
    expect(reg.countOf(1n)).toBe(1);
    expect(fire(reg, "/a", NodeDataChanged)).toHaveLength(1);
    expect(reg.countOf(1n)).toBe(1);
  });

  it("one-time and recursive watch on the same path: one event, recursive kept", () => {
    const reg = registry();
    reg.addExist(1n, "/a");
    reg.addPersistent(1n, "/a", true);
    expect(fire(reg, "/a", NodeCreated)).toHaveLength(1);
    expect(reg.countOf(1n)).toBe(1);
    expect(fire(reg, "/a/b", NodeCreated)).toHaveLength(1);
  });

  it("watches on the path and recursive watches on ancestors: one event", () => {
    const reg = registry();
    reg.addPersistent(1n, "/", true);
    reg.addPersistent(1n, "/a", true);
    reg.addPersistent(1n, "/a/b", false);
    reg.addData(1n, "/a/b");
    expect(fire(reg, "/a/b", NodeDataChanged)).toHaveLength(1);
    expect(fire(reg, "/a/b/c", NodeDataChanged)).toHaveLength(1);
    expect(reg.countOf(1n)).toBe(3);
  });
});

describe("trigger: deterministic order", () => {
  it("sessions on the path in registration order, then recursive watchers of ancestors nearest first", () => {
    const reg = registry();
    reg.addPersistent(5n, "/", true);
    reg.addPersistent(4n, "/a", true);
    reg.addData(3n, "/a/b");
    reg.addPersistent(2n, "/a", true);
    reg.addPersistent(1n, "/a/b", false);
    expect(fire(reg, "/a/b", NodeDataChanged).map((e) => e.sessionId)).toEqual([3n, 1n, 4n, 2n, 5n]);
  });

  it("a session re-registering after its watch fired moves to the end", () => {
    const reg = registry();
    reg.addData(1n, "/a");
    reg.addData(2n, "/a");
    fire(reg, "/a", NodeDataChanged);
    reg.addData(1n, "/a");
    reg.addData(2n, "/a");
    expect(fire(reg, "/a", NodeDataChanged).map((e) => e.sessionId)).toEqual([1n, 2n]);
    reg.addData(2n, "/a");
    reg.addData(1n, "/a");
    expect(fire(reg, "/a", NodeDataChanged).map((e) => e.sessionId)).toEqual([2n, 1n]);
  });

  it("two registries given the same operations produce the same events", () => {
    const run = (): WatchEventOut[] => {
      const reg = registry();
      const out: WatchEventOut[] = [];
      for (let i = 0; i < 50; i++) {
        const sid = BigInt(i % 7);
        const path = `/n${i % 5}`;
        if (i % 3 === 0) reg.addData(sid, path);
        else if (i % 3 === 1) reg.addChild(sid, path);
        else reg.addPersistent(sid, i % 2 === 0 ? "/" : path, i % 2 === 0);
        reg.trigger(`/n${i % 4}`, 1 + (i % 4), i, out);
      }
      return out;
    };
    const first = run();
    expect(first.length).toBeGreaterThan(20);
    expect(run()).toEqual(first);
  });
});
