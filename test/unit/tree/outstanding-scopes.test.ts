import { describe, expect, it } from "vitest";
import { Outstanding } from "../../../server/tree/outstanding.js";

const node = (version: number) => ({
  version,
  childCreates: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  numChildren: 0,
  acl: [],
  dataLength: 0,
  czxid: 0,
  mzxid: 0,
  pzxid: 0,
});

describe("Outstanding: records, scopes and the latest-record map", () => {
  it("records() lists only the latest record of each path", () => {
    const o = new Outstanding();
    o.add({ zxid: 1, path: "/a", node: node(1) });
    o.add({ zxid: 2, path: "/b", node: null });
    o.add({ zxid: 3, path: "/a", node: node(2) });
    expect(o.records().map((r) => r.zxid)).toEqual([2, 3]);
  });

  it("a rolled-back scope leaves the map as it was, paths it introduced untracked", () => {
    const o = new Outstanding();
    o.add({ zxid: 1, path: "/a", node: node(1) });
    o.beginScope();
    o.add({ zxid: 2, path: "/a", node: node(2) });
    o.add({ zxid: 3, path: "/new", node: node(1) });
    o.endScope(true);
    expect(o.trackedPaths).toBe(1);
    expect(o.get("/a")?.zxid).toBe(1);
    expect(o.get("/new")).toBeUndefined();
    expect(o.size).toBe(1);
  });

  it("scopes do not nest and end only once", () => {
    const o = new Outstanding();
    expect(() => o.endScope(false)).toThrow("no outstanding-change scope open");
    o.beginScope();
    expect(() => o.beginScope()).toThrow("nested outstanding-change scope");
    o.endScope(false);
    expect(() => o.endScope(true)).toThrow("no outstanding-change scope open");
  });

  it("past 4096 committed entries the map is rebuilt with the live records only, which stay", () => {
    const o = new Outstanding();
    for (let i = 1; i <= 5000; i++) o.add({ zxid: i, path: `/p${i}`, node: node(1) });
    o.committed(4998);
    expect(o.trackedPaths).toBe(2);
    expect(o.get("/p4999")?.zxid).toBe(4999);
    expect(o.get("/p5000")?.zxid).toBe(5000);
    expect(o.records().map((r) => r.zxid)).toEqual([4999, 5000]);
  });
});
