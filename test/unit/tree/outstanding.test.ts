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

describe("Outstanding", () => {
  it("forgets a record once its zxid is committed, and keeps the later one of the same path", () => {
    const o = new Outstanding();
    o.add({ zxid: 1, path: "/a", node: node(1) });
    o.add({ zxid: 2, path: "/b", node: node(1) });
    o.add({ zxid: 3, path: "/a", node: node(2) });
    o.committed(1);
    expect(o.get("/a")?.zxid).toBe(3);
    expect(o.get("/b")?.zxid).toBe(2);
    o.committed(2);
    expect(o.get("/b")).toBeUndefined();
    expect(o.records().map((r) => r.path)).toEqual(["/a"]);
    expect(o.size).toBe(1);
    o.committed(3);
    expect(o.get("/a")).toBeUndefined();
    expect(o.records()).toEqual([]);
    expect(o.size).toBe(0);
  });

  it("a failed multi takes back its own records, exposing the earlier outstanding one", () => {
    const o = new Outstanding();
    o.add({ zxid: 1, path: "/a", node: node(1) });
    o.committed(1);
    o.add({ zxid: 2, path: "/a", node: node(2) });
    o.beginScope();
    o.add({ zxid: 3, path: "/a", node: node(3) });
    o.add({ zxid: 3, path: "/c", node: null });
    o.endScope(true);
    expect(o.get("/a")?.zxid).toBe(2);
    expect(o.get("/c")).toBeUndefined();
    o.committed(2);
    expect(o.get("/a")).toBeUndefined();
  });

  it("holds a bounded number of committed paths however many distinct paths are written", () => {
    const o = new Outstanding();
    for (let zxid = 1; zxid <= 50_000; zxid++) {
      o.add({ zxid, path: `/n${zxid}`, node: node(0) });
      if (zxid % 10 === 0) o.committed(zxid - 5);
    }
    expect(o.trackedPaths).toBeLessThan(4096 + 64);
    for (let zxid = 49_996; zxid <= 50_000; zxid++) expect(o.get(`/n${zxid}`)?.zxid).toBe(zxid);
    expect(o.get("/n49995")).toBeUndefined();
  });
});
