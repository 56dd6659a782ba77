import { describe, expect, it } from "vitest";
import { isLinearizable, isWrite, type Op, opPath } from "../../../server/pipeline/op-kinds.js";

const op = (kase: string, value: object = {}): Op => ({ $case: kase, value }) as unknown as Op;

describe("op kinds", () => {
  it("writes are create, delete, setData, setAcl, multi and close; nothing else", () => {
    for (const k of ["create", "delete", "setData", "setAcl", "multi", "close"])
      expect(isWrite(op(k, { path: "/a" })), k).toBe(true);
    for (const k of ["getData", "getChildren", "exists", "sync", "addAuth", "getAcl"])
      expect(isWrite(op(k, { path: "/a" })), k).toBe(false);
  });

  it("sync is linearizable; reads when they ask for consistency 1", () => {
    expect(isLinearizable(op("sync", { path: "/" }))).toBe(true);
    for (const k of ["getData", "getChildren", "exists"]) {
      expect(isLinearizable(op(k, { path: "/", consistency: 1 })), k).toBe(true);
      expect(isLinearizable(op(k, { path: "/", consistency: 0 })), k).toBe(false);
    }
    expect(isLinearizable(op("setData", { path: "/", consistency: 1 }))).toBe(false);
  });

  it("the path is the op's path when it has a string one, else empty", () => {
    expect(opPath(op("getData", { path: "/a/b" }))).toBe("/a/b");
    expect(opPath(op("close"))).toBe("");
    expect(opPath(op("multi", { path: 7 }))).toBe("");
  });
});
