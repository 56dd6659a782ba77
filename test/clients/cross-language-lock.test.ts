import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";

// Run by scripts/test-clients.sh after the Go and Python suites have built their toolchains.
const root = resolve(import.meta.dirname, "../..");
let server: ServerHandle;
const dir = mkdtempSync(join(tmpdir(), "paddock-xlock-"));
const goDemo = join(dir, "paddock-lock-demo");
const python = join(root, "clients/python/.venv/bin/python");

beforeAll(async () => {
  execFileSync("go", ["build", "-o", goDemo, "./cmd/paddock-lock-demo"], { cwd: join(root, "clients/go") });
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

function run(command: string, args: string[], out: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", out, "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => resolvePromise(code ?? -1));
  });
}

describe("cross-language lock", () => {
  it("Go and Python clients contending for one lock never hold it at the same time", async () => {
    // One O_APPEND file shared by every process: each writes RELEASED before deleting its node,
    // so the file's line order is the lock's hand-over order.
    const logFile = join(dir, "lock.log");
    const out = openSync(logFile, "a");
    const path = "/locks/cross";
    const runs: Promise<number>[] = [];
    for (let i = 0; i < 3; i++) {
      runs.push(
        run(goDemo, ["-servers", server.address, "-path", path, "-hold", "150ms", "-id", `go-${i}`], out),
      );
      runs.push(
        run(
          python,
          [
            "-m",
            "paddock.lock_demo",
            "--server",
            server.address,
            "--path",
            path,
            "--hold-ms",
            "150",
            "--id",
            `py-${i}`,
          ],
          out,
        ),
      );
    }
    const codes = await Promise.all(runs);
    closeSync(out);
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const lines = readFileSync(logFile, "utf8").trim().split("\n");
    expect(lines).toHaveLength(12);
    for (let i = 0; i < lines.length; i += 2) {
      const [acquired, id] = lines[i]!.split(" ");
      expect(acquired).toBe("ACQUIRED");
      expect(lines[i + 1]).toBe(`RELEASED ${id}`);
    }
    const holders = new Set(lines.map((l) => l.split(" ")[1]!.split("-")[0]));
    expect(holders).toEqual(new Set(["go", "py"]));
  });
});
