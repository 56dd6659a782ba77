import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  readDynamicConfigText,
  writeDynamicConfigText,
} from "../../../server/persistence/dynamic-config-file.js";
import { MemFiles } from "./mem-files.js";

// zoo.cfg.dynamic on a real directory: written whole with a final newline, replaced atomically.

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "paddock-dyncfg-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the dynamic configuration file", () => {
  it("reads undefined when missing, then the text written, with its newline", () => {
    const path = join(dir, "zoo.cfg.dynamic");
    expect(readDynamicConfigText(path)).toBeUndefined();
    writeDynamicConfigText(path, "server.1=a:2888:3888:participant\nversion=100000003");
    expect(readFileSync(path, "utf8")).toBe("server.1=a:2888:3888:participant\nversion=100000003\n");
    expect(readDynamicConfigText(path)).toBe("server.1=a:2888:3888:participant\nversion=100000003\n");
    writeDynamicConfigText(path, "version=0");
    expect(readDynamicConfigText(path)).toBe("version=0\n");
    // No temp file left behind.
    expect(readdirSync(dir)).toEqual(["zoo.cfg.dynamic"]);
  });

  it("writes through the file layer it is given: temp file, fsync, rename, directory fsync", () => {
    const files = new MemFiles();
    writeDynamicConfigText("/conf/zoo.cfg.dynamic", "version=1", files);
    expect(files.journal.filter((j) => !j.startsWith("write "))).toEqual([
      "open /conf/zoo.cfg.dynamic.tmp",
      "fsync /conf/zoo.cfg.dynamic.tmp",
      "rename /conf/zoo.cfg.dynamic.tmp -> /conf/zoo.cfg.dynamic",
      "fsyncDir /conf",
    ]);
    expect(new TextDecoder().decode(files.readFile("/conf/zoo.cfg.dynamic"))).toBe("version=1\n");
  });
});
