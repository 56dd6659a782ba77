import { describe, expect, it } from "vitest";
import type { WatchEvent, Watcher } from "../../../clients/ts/src/index.js";
import { WatchManager } from "../../../clients/ts/src/watch-manager.js";

const ev = (type: WatchEvent["type"], path: string): WatchEvent => ({ type, path, zxid: 7n });

describe("WatchManager (ZooKeeper's ZKWatchManager rules)", () => {
  it("fires each callback once per event even when registered under several kinds, then drops one-time watches", () => {
    const m = new WatchManager();
    const a: Watcher = () => undefined;
    const b: Watcher = () => undefined;
    m.add("data", "/x", a);
    m.add("exist", "/x", a);
    m.add("data", "/x", b);
    m.add("persistent", "/x", a);
    const fired = m.materialize(ev("NodeDataChanged", "/x"));
    expect([...fired]).toEqual([a, b]);
    expect(m.watchers("data", "/x").size).toBe(0);
    expect(m.watchers("persistent", "/x").size).toBe(1); // persistent stays
    expect(m.materialize(ev("NodeDataChanged", "/x")).size).toBe(1);
  });

  it("routes event types to kinds as ZooKeeper: deleted fires data, exist and child watches", () => {
    const m = new WatchManager();
    const data: Watcher = () => undefined;
    const child: Watcher = () => undefined;
    m.add("data", "/x", data);
    m.add("child", "/x", child);
    expect([...m.materialize(ev("NodeChildrenChanged", "/x"))]).toEqual([child]);
    m.add("child", "/x", child);
    expect([...m.materialize(ev("NodeDeleted", "/x"))]).toEqual([data, child]);
    expect(m.size).toBe(0);
  });

  it("recursive watches see events below them but never NodeChildrenChanged", () => {
    const m = new WatchManager();
    const r: Watcher = () => undefined;
    const p: Watcher = () => undefined;
    m.add("persistentRecursive", "/a", r);
    m.add("persistent", "/a", p);
    expect([...m.materialize(ev("NodeCreated", "/a/b/c"))]).toEqual([r]);
    expect([...m.materialize(ev("NodeChildrenChanged", "/a"))]).toEqual([p]);
    expect([...m.materialize(ev("NodeDataChanged", "/a"))]).toEqual([p, r]);
    m.add("persistentRecursive", "/", r);
    expect([...m.materialize(ev("NodeDeleted", "/z"))]).toEqual([r]);
  });

  it("builds SetWatches from what is still registered", () => {
    const m = new WatchManager();
    const w: Watcher = () => undefined;
    m.add("data", "/d", w);
    m.add("exist", "/e", w);
    m.add("child", "/c", w);
    m.add("persistent", "/p", w);
    m.add("persistentRecursive", "/r", w);
    m.materialize(ev("NodeDataChanged", "/d"));
    expect(m.setWatches(42n)).toEqual({
      relativeZxid: 42n,
      dataWatches: [],
      existWatches: ["/e"],
      childWatches: ["/c"],
      persistentWatches: ["/p"],
      persistentRecursiveWatches: ["/r"],
    });
  });

  it("removes one callback or all and reports one …WatchRemoved event per callback and type", () => {
    const m = new WatchManager();
    const a: Watcher = () => undefined;
    const b: Watcher = () => undefined;
    m.add("data", "/x", a);
    m.add("exist", "/x", a);
    m.add("child", "/x", a);
    m.add("child", "/x", b);
    expect(m.contains("/x", "children", b)).toBe(true);
    expect(m.emptiedBy("/x", "children", b)).toEqual([]); // a still holds the child watch
    expect(m.emptiedBy("/x", "any", a)).toEqual(["data", "exist"]);
    const removed = m.remove("/x", "any", a).map((r) => r.event.type);
    expect(removed).toEqual(["DataWatchRemoved", "ChildWatchRemoved"]);
    expect(m.contains("/x", "data")).toBe(false);
    expect(m.contains("/x", "children")).toBe(true);
  });

  it("a removal the server reports fires only callbacks still registered", () => {
    const m = new WatchManager();
    const a: Watcher = () => undefined;
    m.add("persistent", "/x", a);
    expect([...m.materialize(ev("PersistentWatchRemoved", "/x"))]).toEqual([a]);
    expect(m.materialize(ev("PersistentWatchRemoved", "/x")).size).toBe(0);
  });
});
