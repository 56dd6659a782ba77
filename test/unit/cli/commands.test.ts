import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { formatStat } from "../../../clients/ts/cli/format.js";
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
/** The server's sorted form, one name per page, so ls must follow the tokens. */
const getChildrenPage = async (path: string, options: { pageToken?: string } = {}) => {
  const children = tree[path];
  if (children === undefined) throw errorFor(Code.NoNode, path);
  const after = options.pageToken;
  const rest = [...children].sort().filter((c) => after === undefined || c > after);
  return { children: rest.slice(0, 1), stat, ...(rest.length > 1 ? { nextPageToken: rest[0] } : {}) };
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
    const h = harness({ getChildrenPage });
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

  it("reconfig checks its options as zkCli, lowercases, reads -v as hex, prints the committed configuration", async () => {
    const config = "server.1=a:1:2:participant;a:3\nversion=1a";
    const h = harness({ reconfig: async () => ({ data: Buffer.from(config), stat }) });
    const usage =
      "reconfig [-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]";
    const refusals: [string, string][] = [
      ["reconfig", usage],
      ["reconfig -v xyz -remove 2", "-v must be followed by a long (configuration version)"],
      [
        "reconfig -members server.1=a:1:2;3 -remove 2",
        "Can't use -file or -members together with -add or -remove (mixing incremental and non-incremental modes is not allowed)",
      ],
      [
        "reconfig -file /x -members server.1=a:1:2;3",
        "Can't use -file and -members together (conflicting non-incremental modes)",
      ],
      ["reconfig -add", "org.apache.commons.cli.MissingArgumentException: Missing argument for option: add"],
    ];
    for (const [line, message] of refusals)
      expect(await h.run(line)).toEqual({ out: "", err: `${message}\n`, code: 1 });
    expect(h.calls).toEqual([]);
    expect(await h.run("reconfig -s -v 1A -add SERVER.2=B:1:2;3 -remove 3")).toEqual({
      out: `Committed new configuration:\n${config}\n${formatStat(stat, "UTC")}`,
      err: "",
      code: 0,
    });
    expect(h.calls[0]).toEqual([
      "reconfig",
      { joining: "server.2=b:1:2;3", leaving: "3", newMembers: undefined, fromConfig: 0x1an },
    ]);
  });

  it("reconfig -file sends the file's server lines as the new members; an unreadable file is zkCli's error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-cli-reconfig-"));
    const file = join(dir, "zoo.cfg.dynamic");
    writeFileSync(file, "# members\nserver.1=A:1:2;3\nserver.2=b:4:5:observer;6\nversion=100000002\n");
    const h = harness({ reconfig: async () => ({ data: Buffer.from("version=1"), stat }) });
    expect((await h.run(`reconfig -file ${file}`)).code).toBe(0);
    expect(h.calls[0]).toEqual([
      "reconfig",
      {
        joining: undefined,
        leaving: undefined,
        newMembers: "server.1=A:1:2;3\nserver.2=b:4:5:observer;6",
        fromConfig: -1n,
      },
    ]);
    const missing = await h.run(`reconfig -file ${join(dir, "none")}`);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(new RegExp(`^Error processing ${join(dir, "none")}ENOENT`));
  });

  it("reconfig refusals print as zkCli 3.8.0 prints them (its paths are empty)", async () => {
    const refusing = (code: number, path = "/zookeeper/config") =>
      harness({
        reconfig: async () => {
          throw errorFor(code, path, "server's words");
        },
      });
    const lines: [number, string, string?][] = [
      [Code.NoAuth, "Insufficient permission : "],
      [Code.BadVersion, "version No is not valid : "],
      [Code.BadArguments, "Arguments are not valid : "],
      [Code.ReconfigDisabled, "KeeperErrorCode = Reconfig is disabled", ""],
      [
        Code.NewConfigNoQuorum,
        "No quorum of new config is connected and up-to-date with the leader of last committed config - try invoking reconfiguration after new servers are connected and synced",
        "",
      ],
    ];
    for (const [code, line, path] of lines)
      expect(await refusing(code, path).run("reconfig -remove 3")).toEqual({
        out: "",
        err: `${line}\n`,
        code: 1,
      });
  });

  it("config prints /zookeeper/config, -c as ZooKeeper's client connect string", async () => {
    const text =
      "server.1=a:1:2:participant;10.0.0.1:2181\nserver.2=b:1:2:participant;2182\nversion=100000003";
    const h = harness({ getData: async () => ({ data: Buffer.from(text), stat }) });
    expect((await h.run("config")).out).toBe(`${text}\n`);
    // Java's Properties order (ConcurrentHashMap buckets): server.2 before server.1.
    expect((await h.run("config -c")).out).toBe("100000003 0.0.0.0:2182,10.0.0.1:2181\n");
    // A line with equal quorum and election ports is skipped, one without a client part is empty.
    const odd = "server.1=a:0:0:participant\nserver.2=b:1:2:participant\nserver.3=c:4:5;7\nversion=7";
    const h2 = harness({ getData: async () => ({ data: Buffer.from(odd), stat }) });
    expect((await h2.run("config -c")).out).toBe("7 ,0.0.0.0:7\n");
    expect(h.calls[0]).toEqual(["getData", "/zookeeper/config", { watch: undefined }]);
  });
});
