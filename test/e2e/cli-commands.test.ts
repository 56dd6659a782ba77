import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { paddockCli } from "../support/run-process.js";

// Expected outputs are zkCli 3.8's (checked against the Debian package): results on stdout,
// "Created", errors and usage on stderr, exit code 0 / 1 / 127 for an unknown command.

let server: ServerHandle;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

const cli = (...args: string[]) => paddockCli(server.address, args);

/** stdout without the connection banner and the SyncConnected notice. */
function body(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter(
      (l) =>
        l !== "" &&
        !l.startsWith("Connecting to ") &&
        !l.startsWith("WATCHER::") &&
        !l.startsWith("WatchedEvent"),
    );
}

const statLines = (lines: string[]): Record<string, string> =>
  Object.fromEntries(lines.filter((l) => l.includes(" = ")).map((l) => l.split(" = ") as [string, string]));

describe("paddock cli (one command per process)", () => {
  it("create prints Created on stderr and exits 0; a second create fails with NodeExists and exit 1", async () => {
    const first = await cli("create", "/c1", "hello");
    expect(first.code).toBe(0);
    expect(first.stderr).toBe("Created /c1\n");
    const second = await cli("create", "/c1", "again");
    expect(second.code).toBe(1);
    expect(second.stderr).toBe("Node already exists: /c1\n");
  });

  it("get -s prints the data then every Stat field in zkCli's order", async () => {
    const r = await cli("get", "-s", "/c1");
    expect(r.code).toBe(0);
    const lines = body(r.stdout);
    expect(lines[0]).toBe("hello");
    expect(lines.slice(1).map((l) => l.split(" = ")[0])).toEqual([
      "cZxid",
      "ctime",
      "mZxid",
      "mtime",
      "pZxid",
      "cversion",
      "dataVersion",
      "aclVersion",
      "ephemeralOwner",
      "dataLength",
      "numChildren",
    ]);
    const stat = statLines(lines);
    expect(stat.cZxid).toMatch(/^0x[0-9a-f]+$/);
    expect(stat.ctime).toMatch(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    expect(stat.dataLength).toBe("5");
    expect(stat.ephemeralOwner).toBe("0x0");
  });

  it("set -v checks the version; stat shows the new dataVersion", async () => {
    const bad = await cli("set", "-v", "5", "/c1", "x");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("version No is not valid : /c1\n");
    const ok = await cli("set", "-v", "0", "/c1", "world");
    expect(ok.code).toBe(0);
    const stat = await cli("stat", "/c1");
    expect(statLines(body(stat.stdout))).toMatchObject({ dataVersion: "1", dataLength: "5" });
  });

  it("ls -R lists the subtree depth-first; ls lists children in brackets", async () => {
    const r = await paddockCli(server.address, [], "create /t\ncreate /t/a\ncreate /t/a/x\ncreate /t/b\n");
    expect(r.code).toBe(0);
    expect(body((await cli("ls", "-R", "/t")).stdout)).toEqual(["/t", "/t/a", "/t/b", "/t/a/x"]);
    expect(body((await cli("ls", "/t")).stdout)).toEqual(["[a, b]"]);
  });

  it("delete refuses a non-empty node, deleteall removes the subtree, then errors name the path", async () => {
    const notEmpty = await cli("delete", "/t");
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toBe("Node not empty: /t\n");
    expect((await cli("deleteall", "/t")).code).toBe(0);
    const gone = await cli("get", "/t");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("Node does not exist: /t\n");
    expect((await cli("delete", "/x")).stderr).toBe("Node does not exist: /x\n");
  });

  it("an unknown command prints the usage and exits 127; a missing argument prints the command's usage", async () => {
    const unknown = await cli("bogus");
    expect(unknown.code).toBe(127);
    expect(unknown.stderr).toContain("ZooKeeper -server host:port");
    expect(unknown.stderr.endsWith("Command not found: Command not found bogus\n")).toBe(true);
    const missing = await cli("create");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("create [-s] [-e] [-c] [-t ttl] path [data] [acl]\n");
  });

  it("interactive: getAcl, setAcl, addauth and whoami piped on stdin in one session", async () => {
    const script = [
      "create /acl data",
      "getAcl /acl",
      "addauth digest alice:pw",
      "setAcl /acl auth:alice:pw:cdrwa",
      "getAcl /acl",
      "whoami",
      "get /acl",
      "quit",
    ].join("\n");
    const r = await paddockCli(server.address, [], `${script}\n`);
    expect(r.code).toBe(0);
    const out = body(r.stdout);
    expect(out.slice(0, 2)).toEqual(["Welcome to ZooKeeper!", "JLine support is disabled"]);
    expect(out.slice(2)).toEqual([
      "'world,'anyone",
      ": cdrwa",
      `'digest,'alice:${createHash("sha1").update("alice:pw").digest("base64")}`,
      ": cdrwa",
      "Auth scheme: User",
      expect.stringMatching(/^(ip: 127\.0\.0\.1|digest: alice)$/),
      expect.stringMatching(/^(ip: 127\.0\.0\.1|digest: alice)$/),
      "data",
    ]);
    expect(r.stderr).toBe("Created /acl\n");
    // Another session without the credentials is refused, as zkCli reports it.
    const denied = await cli("get", "/acl");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe("Insufficient permission : /acl\n");
  });
});
