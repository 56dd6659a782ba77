import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nodeFiles, replaceFileDurably } from "../../../server/persistence/file-layer.js";

/**
 * The real disk's layer gives back every descriptor it opens for its own use: fsyncDir runs on
 * every create, rename and unlink, so a descriptor left open per call would exhaust the
 * process's limit. The process's open descriptors are counted in /proc/self/fd (Linux); each
 * test file runs in its own process, and the calls are synchronous, so nothing else opens one.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const openDescriptors = (): number => readdirSync("/proc/self/fd").length;

describe("nodeFiles leaves no descriptor open", () => {
  it("after fsyncDir, and after replaceFileDurably (which ends with one)", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-fds-"));
    dirs.push(dir);
    const before = openDescriptors();
    nodeFiles.fsyncDir(dir);
    expect(openDescriptors()).toBe(before);
    replaceFileDurably(nodeFiles, dir, join(dir, "f"), new Uint8Array([1, 2, 3]));
    expect(openDescriptors()).toBe(before);
  });
});
