import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { tokenize } from "../../../clients/ts/cli/parse-line.js";
import { execute } from "../../../clients/ts/cli/run-cli.js";
import { Shell } from "../../../clients/ts/cli/shell.js";
import { type Client, Code, errorFor, type Stat } from "../../../clients/ts/src/index.js";

const stat: Stat = {
  czxid: 0xcn,
  mzxid: 0x15n,
  ctime: 0,
  mtime: 0,
  version: 2,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 8,
  numChildren: 0,
  pzxid: 0xcn,
};

/** A shell whose session is a stub answering from canned data: for command parsing and printing. */
function harness(stub: Record<string, unknown>, state = "connected") {
  let out = "";
  let err = "";
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        add(String(chunk));
        cb();
      },
    });
  const io = {
    stdin: Readable.from([]),
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    isTTY: false,
  };
  const shell = new Shell(io, "127.0.0.1:2181", { sessionTimeoutMs: 30_000, timeZone: "UTC" });
  const calls: unknown[][] = [];
  const client = new Proxy(
    { state, on: () => undefined, ...stub },
    {
      get(target, key: string) {
        const value = (target as Record<string, unknown>)[key];
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push([key, ...args]);
          return (value as (...a: unknown[]) => unknown)(...args);
        };
      },
    },
  );
  shell.client = client as unknown as Client;
  return {
    shell,
    calls,
    run: async (line: string) => {
      out = "";
      err = "";
      await execute(shell, tokenize(line));
      return { out, err, code: shell.exitCode };
    },
  };
}

const tree: Record<string, string[]> = {
  "/r": ["b", "a"],
  "/r/a": ["d", "c"],
  "/r/b": ["e"],
  "/r/a/c": ["f"],
  "/r/a/d": [],
  "/r/b/e": [],
  "/r/a/c/f": [],
};
const getChildren = async (path: string) => {
  const children = tree[path];
  if (children === undefined) throw errorFor(Code.NoNode, path);
  return { children: [...children], stat };
};

describe("zkCli argument checks", () => {
  it("prints the usage line for missing arguments (exit 1)", async () => {
    const h = harness({});
    expect(await h.run("get")).toEqual({ out: "", err: "get [-s] [-w] path\n", code: 1 });
    expect((await h.run("set /r/a")).err).toBe("set [-s] [-v version] path data\n");
    expect((await h.run("create")).err).toBe("create [-s] [-e] [-c] [-t ttl] path [data] [acl]\n");
    expect((await h.run("addWatch -m BAD /w")).err).toBe(
      "addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE\n",
    );
  });

  it("answers an unknown command with the usage listing and exit code 127", async () => {
    const r = await harness({}).run("bogus");
    expect(r.code).toBe(127);
    expect(r.err.endsWith("Command not found: Command not found bogus\n")).toBe(true);
    expect(r.err).toContain("\tls [-s] [-w] [-R] path\n");
  });

  it("checks create's mode flags as zkCli, before any request", async () => {
    const h = harness({});
    const cases: [string, string][] = [
      [
        "create -c -s /r/cs",
        "-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.",
      ],
      ["create -e -t 100 /r/et", "TTLs cannot be used with Ephemeral znodes"],
      ["create -c -t 100 /r/ct", "TTLs cannot be used with Container znodes"],
      ["create -t abc /r/tt", "-t argument must be a long value"],
      ["create -t 0 /r/tt0", "ttl must be positive and cannot be larger than: 1099511627775"],
    ];
    for (const [line, message] of cases)
      expect(await h.run(line)).toEqual({ out: "", err: `${message}\n`, code: 1 });
    expect(h.calls).toEqual([]);
  });

  it("says Not connected (stdout) when the session is closed", async () => {
    expect(await harness({}, "closed").run("ls /")).toEqual({ out: "Not connected\n", err: "", code: 1 });
  });
});

describe("zkCli command output", () => {
  it("create reports on stderr, with the mode, ACL and TTL passed through", async () => {
    const h = harness({ create: async (path: string) => ({ path: `${path}0000000001`, stat }) });
    expect(await h.run("create -s /t1/s- sdata")).toEqual({
      out: "",
      err: "Created /t1/s-0000000001\n",
      code: 0,
    });
    expect(h.calls[0]).toEqual([
      "create",
      "/t1/s-",
      "sdata",
      { mode: "PERSISTENT_SEQUENTIAL", acl: undefined, ttl: undefined },
    ]);
    await h.run("create -t 5000 /t1/ttl tdata ip:10.0.0.1:r");
    expect(h.calls[1]).toEqual([
      "create",
      "/t1/ttl",
      "tdata",
      { mode: "PERSISTENT_WITH_TTL", acl: [{ perms: 1, id: { scheme: "ip", id: "10.0.0.1" } }], ttl: 5000 },
    ]);
  });

  it("create with an ACL that parses to nothing fails as zkCli (two lines)", async () => {
    const h = harness({});
    expect((await h.run("create /r/acl3 d world:anyone")).err).toBe(
      "world:anyone does not have the form scheme:id:perm\nKeeperErrorCode = InvalidACL\nAcl is not valid : null\n",
    );
    const server = harness({ create: async () => Promise.reject(errorFor(Code.InvalidACL, "/r/acl4")) });
    expect((await server.run("create /r/acl4 d foo:bar:r")).err).toBe(
      "KeeperErrorCode = InvalidACL for /r/acl4\nAcl is not valid : /r/acl4\n",
    );
  });

  it("ls sorts children; -s adds the Stat; -R lists a node's children before descending", async () => {
    const h = harness({ getChildren });
    expect((await h.run("ls /r")).out).toBe("[a, b]\n");
    expect((await h.run("ls -s /r")).out).toMatch(/^\[a, b\]\ncZxid = 0xc\n/);
    expect((await h.run("ls -R /r")).out).toBe("/r\n/r/a\n/r/b\n/r/a/c\n/r/a/d\n/r/a/c/f\n/r/b/e\n");
    expect(await h.run("ls -R /nope")).toEqual({ out: "", err: "Node does not exist: /nope\n", code: 1 });
  });

  it("get prints data (empty as null) and the Stat with -s; -w asks the default watcher", async () => {
    const h = harness({ getData: async () => ({ data: Buffer.from("data1"), stat }) });
    expect((await h.run("get -s -w /t1/a")).out).toMatch(
      /^data1\ncZxid = 0xc\nctime = Thu Jan 01 00:00:00 UTC 1970\n/,
    );
    expect(h.calls[0]).toEqual(["getData", "/t1/a", { watch: true }]);
    const empty = harness({ getData: async () => ({ data: Buffer.alloc(0), stat }) });
    expect((await empty.run("get /t1/c")).out).toBe("null\n");
    const old = await h.run("get /t1/a 1");
    expect(old.err).toBe(
      "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.\n",
    );
  });

  it("set, delete and setAcl pass versions; errors print zkCli's line", async () => {
    const h = harness({
      setData: async () => stat,
      delete: async (p: string, v?: number) => {
        if (v === 7) throw errorFor(Code.BadVersion, p);
      },
      setACL: async () => stat,
    });
    expect((await h.run("set -s -v 2 /t1/a x")).out).toMatch(/^cZxid = 0xc\n/);
    expect(h.calls[0]).toEqual(["setData", "/t1/a", "x", 2]);
    expect(await h.run("delete -v 7 /t1/a")).toEqual({
      out: "",
      err: "version No is not valid : /t1/a\n",
      code: 1,
    });
    expect((await h.run("setAcl /t1/a world:anyone:cdrwa")).out).toBe("");
    expect(h.calls[2]).toEqual([
      "setACL",
      "/t1/a",
      [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
      undefined,
    ]);
    expect((await h.run("setAcl /t1/a bogus")).err).toBe(
      "bogus does not have the form scheme:id:perm\nAcl is not valid : null\n",
    );
  });

  it("stat of a missing node is NoNode; getAcl, sync, whoami, getEphemerals, getAllChildrenNumber print as zkCli", async () => {
    const h = harness({
      exists: async () => null,
      getACL: async () => ({ acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], stat }),
      sync: async (p: string) => p,
      whoAmI: async () => [
        { scheme: "digest", user: "user1" },
        { scheme: "ip", user: "127.0.0.1" },
      ],
      getEphemerals: async () => ["/t1/e", "/t1/se-0000000005"],
      getAllChildrenNumber: async () => 6,
    });
    expect((await h.run("stat /w/y")).err).toBe("Node does not exist: /w/y\n");
    expect((await h.run("getAcl /t1/a")).out).toBe("'world,'anyone\n: cdrwa\n");
    expect((await h.run("sync /t1")).out).toBe("Sync is OK\n");
    expect((await h.run("whoami")).out).toBe("Auth scheme: User\ndigest: user1\nip: 127.0.0.1\n");
    expect((await h.run("getEphemerals /t1")).out).toBe("[/t1/e, /t1/se-0000000005]\n");
    expect((await h.run("getAllChildrenNumber /t1")).out).toBe("6\n");
  });

  it("deleteall deletes children before parents in multi batches of -b", async () => {
    const batches: string[][] = [];
    const h = harness({
      getChildren,
      multi: async (ops: { path: string }[]) => {
        batches.push(ops.map((o) => o.path));
        return [];
      },
    });
    expect((await h.run("deleteall /r -b 3")).code).toBe(0);
    expect(batches).toEqual([["/r/a/c/f", "/r/b/e", "/r/a/d"], ["/r/a/c", "/r/b", "/r/a"], ["/r"]]);
    expect((await h.run("deleteall /r -b abc")).err).toBe("-b argument must be an int value\n");
  });

  it("removewatches maps -c/-d/-a/-l; printwatches and history need no session", async () => {
    const h = harness({ removeWatches: async () => undefined });
    await h.run("removewatches /w -c -l");
    expect(h.calls[0]).toEqual(["removeWatches", "/w", "children", undefined, { local: true }]);
    await h.run("removewatches /w");
    expect(h.calls[1]?.[2]).toBe("any");
    expect((await h.run("printwatches off")).out).toBe("");
    expect((await h.run("printwatches")).out).toBe("printwatches is off\n");
    h.shell.history.push("ls /", "history");
    h.shell.commandCount = 1;
    expect((await h.run("history")).out).toBe("0 - ls /\n1 - history\n");
  });
});
