import { describe, expect, it } from "vitest";
import {
  BadVersionError,
  Code,
  codeName,
  errorFor,
  InvalidPathError,
  NodeExistsError,
  NoNodeError,
  PaddockError,
  validatePath,
} from "../../../clients/ts/src/index.js";

describe("PaddockError", () => {
  it("maps each ZooKeeper code to its subclass so instanceof works", () => {
    const e = errorFor(Code.NoNode, "/a");
    expect(e).toBeInstanceOf(NoNodeError);
    expect(e).toBeInstanceOf(PaddockError);
    expect(e).not.toBeInstanceOf(NodeExistsError);
    expect(e.codeName).toBe("NoNode");
    expect(e.path).toBe("/a");
    expect(e.is("NoNode")).toBe(true);
    expect(e.is(Code.NoNode)).toBe(true);
    expect(new BadVersionError("/v").code).toBe(-103);
    for (const [name, code] of Object.entries(Code)) {
      if (code === 0) continue;
      expect(errorFor(code).name).toBe(`${name}Error`);
    }
  });

  it("names unknown codes without failing", () => {
    expect(codeName(-999)).toBe("Unknown(-999)");
    expect(errorFor(-999).code).toBe(-999);
  });
});

describe("validatePath (ZooKeeper's PathUtils messages, as zkCli prints them)", () => {
  const reason = (path: string, sequential = false): string | undefined => {
    try {
      validatePath(path, sequential);
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidPathError);
      return (e as Error).message;
    }
  };
  it("accepts good paths", () => {
    for (const p of ["/", "/a", "/a/b.c", "/a/..b", "/zookeeper/quota"]) expect(reason(p)).toBeUndefined();
    expect(reason("/a/", true)).toBeUndefined();
  });
  it("rejects bad ones with ZooKeeper's wording", () => {
    expect(reason("")).toBe("Path length must be > 0");
    expect(reason("t1/bad")).toBe("Path must start with / character");
    expect(reason("/t1/")).toBe("Path must not end with / character");
    expect(reason("//t1")).toBe('Invalid path string "//t1" caused by empty node name specified @1');
    expect(reason("/a/./b")).toBe('Invalid path string "/a/./b" caused by relative paths not allowed @3');
    expect(reason("/a/..")).toBe('Invalid path string "/a/.." caused by relative paths not allowed @4');
    expect(reason("/a\u0000")).toBe('Invalid path string "/a\u0000" caused by null character not allowed @2');
    expect(reason("/a\u0001")).toBe('Invalid path string "/a\u0001" caused by invalid character @2');
  });
});
