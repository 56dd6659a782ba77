import { beforeEach, describe, expect, it } from "vitest";
import type { ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import { executeRead, type ReadContext } from "../../../server/pipeline/read-ops.js";
import { Requester } from "../../../server/pipeline/requester.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";
import { create, E, setData, txn } from "../tree/txns.js";
import { refusal } from "./refusal.js";

// executeRead on the real DataTree and WatchRegistry: each read's result, the watch it leaves
// (read back with the registry's `has`, by WatcherType: 1 children, 2 data, 3 any, 4 persistent,
// 5 recursive), and each refusal's code, path and exact message.

type Op = Parameters<typeof executeRead>[3];

const SESSION = 0x42n;
const ZOO_CFG = Buffer.from("server.1=a:2888:3888;2181\n");
const IP = [{ scheme: "ip", id: "10.0.0.1" }];

let tree: DataTree;
let watches: WatchRegistry;
let ctx: ReadContext;
let sent: ServerMessage[];
let session: Requester;
const unary = new Requester(0n, IP, undefined);

beforeEach(() => {
  tree = new DataTree();
  tree.apply(txn(E + 1, create("/a", "abc")));
  tree.apply(txn(E + 2, create("/a/b")));
  tree.apply(txn(E + 3, create("/a/c")));
  tree.apply(txn(E + 4, create("/e", "", -1, SESSION)));
  tree.apply(txn(E + 5, create("/a/eph", "", -1, SESSION)));
  watches = new WatchRegistry({ watchesPerSessionMax: 100 });
  ctx = { tree, watches, limits: { ...defaultLimits, childrenPerReplyMax: 3 }, zookeeperConfig: ZOO_CFG };
  sent = [];
  session = new Requester(SESSION, IP, { send: (m) => sent.push(m), end: () => {} });
});

const read = (op: Op, requester = session, ids = IP) => executeRead(ctx, requester, ids, op)!;
const exists = (path: string, watch = false): Op => ({
  $case: "exists",
  value: { path, watch, consistency: 0 },
});
const getData = (path: string, watch = false): Op => ({
  $case: "getData",
  value: { path, watch, consistency: 0 },
});
const getChildren = (path: string, watch = false, page: { pageSize?: number } = {}): Op => ({
  $case: "getChildren",
  value: { path, watch, consistency: 0, ...page },
});

describe("exists, getData and getChildren", () => {
  it("exists: the stat, a data watch on an existing node and an exist watch on a missing one", () => {
    const r = read(exists("/a", true));
    expect(r).toEqual({ $case: "exists", value: { stat: tree.exists("/a") } });
    expect(read(exists("/missing", true))).toEqual({ $case: "exists", value: { stat: undefined } });
    expect(watches.has(SESSION, "/a", 2)).toBe(true);
    expect(watches.has(SESSION, "/a", 1)).toBe(false);
    // An exist watch fires on creation: the path is watched, as data (WatcherType 2 covers both).
    expect(watches.has(SESSION, "/missing", 2)).toBe(true);
    expect(watches.countOf(SESSION)).toBe(2);
    const events: { type: number }[] = [];
    watches.trigger("/missing", 1, E + 9, events as never);
    expect(events.map((e) => e.type)).toEqual([1]);
  });

  it("leaves no watch without the watch flag", () => {
    read(exists("/a"));
    read(getData("/a"));
    read(getChildren("/a"));
    read(getChildren("/a", false, { pageSize: 2 }));
    expect(watches.size).toBe(0);
  });

  it("refuses a watch without a session, naming the path, and registers nothing", () => {
    for (const op of [exists("/a", true), getData("/a", true), getChildren("/a", true)]) {
      expect(refusal(() => read(op, unary))).toEqual({
        code: Code.BadArguments,
        path: "/a",
        message: "BadArguments for /a: a watch needs a session (use SessionService)",
      });
    }
    expect(refusal(() => read(getChildren("/a", true, { pageSize: 1 }), unary)).message).toBe(
      "BadArguments for /a: a watch needs a session (use SessionService)",
    );
    expect(watches.size).toBe(0);
  });

  it("getData: the data and stat, and a data watch", () => {
    expect(read(getData("/a", true))).toEqual({ $case: "getData", value: tree.getData("/a", IP) });
    expect(Buffer.from((read(getData("/a")) as { value: { data: Uint8Array } }).value.data).toString()).toBe(
      "abc",
    );
    expect(watches.has(SESSION, "/a", 2)).toBe(true);
    expect(watches.has(SESSION, "/a", 1)).toBe(false);
  });

  it("getChildren: every child, and a child watch", () => {
    const r = read(getChildren("/a", true));
    expect(r.$case).toBe("getChildren");
    const value = r.value as { children: string[] };
    expect([...value.children].sort()).toEqual(["b", "c", "eph"]);
    expect(watches.has(SESSION, "/a", 1)).toBe(true);
    expect(watches.has(SESSION, "/a", 2)).toBe(false);
  });

  it("getChildren: exactly childrenPerReplyMax children pass; one more is refused naming both numbers", () => {
    expect((read(getChildren("/a")).value as { children: string[] }).children).toHaveLength(3);
    tree.apply(txn(E + 6, create("/a/d")));
    expect(refusal(() => read(getChildren("/a", true)))).toEqual({
      code: Code.BadArguments,
      path: "/a",
      message: "BadArguments for /a: 4 children exceed childrenPerReplyMax 3",
    });
    // Refused before the watch is set.
    expect(watches.size).toBe(0);
  });

  it("getChildren paged: sorted names of one page, the next token, and a child watch", () => {
    tree.apply(txn(E + 6, create("/a/d")));
    const r = read(getChildren("/a", true, { pageSize: 2 }));
    expect(r).toMatchObject({ $case: "getChildren", value: { children: ["b", "c"] } });
    expect((r.value as { nextPageToken?: string }).nextPageToken).not.toBe("");
    expect(watches.has(SESSION, "/a", 1)).toBe(true);
    // With a cache of the context's own, it answers the same.
    const cached = executeRead(
      { ...ctx, sortedChildren: undefined },
      session,
      IP,
      getChildren("/a", false, { pageSize: 2 }),
    );
    expect(cached).toEqual(r);
  });

  it("validates each path first: BadArguments naming the path", () => {
    for (const op of [exists("a"), getData("/a/"), getChildren("")]) {
      const path = (op.value as { path: string }).path;
      expect(refusal(() => read(op))).toMatchObject({ code: Code.BadArguments, path });
    }
    expect(refusal(() => read(exists("/x//y"))).message).toBe(
      "BadArguments for /x//y: invalid path: empty node name specified @3",
    );
  });
});

describe("/zookeeper/config", () => {
  it("shows this member's zoo.cfg while the tree's node is empty: its bytes and their length", () => {
    const data = read(getData("/zookeeper/config"));
    expect(Buffer.from((data.value as { data: Uint8Array }).data)).toEqual(ZOO_CFG);
    expect((data.value as { stat: { dataLength: number; version: number } }).stat).toEqual({
      ...tree.exists("/zookeeper/config"),
      dataLength: ZOO_CFG.length,
    });
    expect(read(exists("/zookeeper/config"))).toEqual({
      $case: "exists",
      value: { stat: { ...tree.exists("/zookeeper/config"), dataLength: ZOO_CFG.length } },
    });
  });

  it("shows the tree's content once a reconfig wrote it, and leaves other paths alone", () => {
    tree.apply(txn(E + 6, setData("/zookeeper/config", "server.2=b:2888:3888;2181", -1)));
    const data = read(getData("/zookeeper/config"));
    expect(Buffer.from((data.value as { data: Uint8Array }).data).toString()).toBe(
      "server.2=b:2888:3888;2181",
    );
    expect(
      (read(exists("/zookeeper/config")).value as { stat: { dataLength: number } }).stat.dataLength,
    ).toBe(25);
    expect((read(exists("/e")).value as { stat: { dataLength: number } }).stat.dataLength).toBe(0);
    expect(Buffer.from((read(getData("/e")).value as { data: Uint8Array }).data)).toEqual(Buffer.alloc(0));
  });
});

describe("the other reads", () => {
  it("getAllChildrenNumber, getEphemerals ('' for all, or a prefix), getAcl", () => {
    expect(read({ $case: "getAllChildrenNumber", value: { path: "/a" } })).toEqual({
      $case: "getAllChildrenNumber",
      value: { number: 3 },
    });
    expect(read({ $case: "getEphemerals", value: { prefixPath: "" } })).toEqual({
      $case: "getEphemerals",
      value: { paths: ["/a/eph", "/e"] },
    });
    expect(read({ $case: "getEphemerals", value: { prefixPath: "/a" } })).toEqual({
      $case: "getEphemerals",
      value: { paths: ["/a/eph"] },
    });
    expect(refusal(() => read({ $case: "getEphemerals", value: { prefixPath: "a" } })).path).toBe("a");
    expect(read({ $case: "getAcl", value: { path: "/a" } })).toEqual({
      $case: "getAcl",
      value: tree.getACL("/a", IP),
    });
    expect(refusal(() => read({ $case: "getAcl", value: { path: "/a/" } })).code).toBe(Code.BadArguments);
    expect(refusal(() => read({ $case: "getAllChildrenNumber", value: { path: "//" } })).code).toBe(
      Code.BadArguments,
    );
  });

  it("whoAmI: identities added by auth first, ip last, a digest user's name only, super with no user", () => {
    const ids = [
      { scheme: "ip", id: "10.0.0.1" },
      { scheme: "digest", id: "alice:hash=" },
      { scheme: "super", id: "whatever" },
      { scheme: "x509", id: "CN=bob" },
    ];
    expect(read({ $case: "whoAmI", value: {} }, session, ids)).toEqual({
      $case: "whoAmI",
      value: {
        clientInfo: [
          { authScheme: "digest", user: "alice" },
          { authScheme: "super", user: "" },
          { authScheme: "x509", user: "CN=bob" },
          { authScheme: "ip", user: "10.0.0.1" },
        ],
      },
    });
  });

  it("ping and sync answer at once; sync validates its path", () => {
    expect(read({ $case: "ping", value: {} })).toEqual({ $case: "ping", value: {} });
    expect(read({ $case: "sync", value: { path: "/a" } })).toEqual({ $case: "sync", value: { path: "/a" } });
    expect(refusal(() => read({ $case: "sync", value: { path: "a/" } }))).toMatchObject({
      code: Code.BadArguments,
      path: "a/",
    });
  });

  it("refuses a write as not a read (Unimplemented)", () => {
    const op = { $case: "delete", value: { path: "/a", version: -1 } } as Op;
    expect(refusal(() => read(op))).toEqual({
      code: Code.Unimplemented,
      path: "",
      message: "not a read: delete",
    });
  });
});

describe("multiRead", () => {
  it("answers getData and getChildren in order, and each other op with its own error", () => {
    const r = read({
      $case: "multiRead",
      value: {
        ops: [
          { op: getData("/a") as never },
          { op: undefined },
          { op: getChildren("/missing") as never },
          { op: exists("/a") as never },
          { op: getChildren("/a/b") as never },
        ],
      },
    });
    expect(r).toEqual({
      $case: "multiRead",
      value: {
        results: [
          { result: { $case: "getData", value: tree.getData("/a", IP) } },
          {
            result: {
              $case: "error",
              value: {
                code: Code.BadArguments,
                path: "",
                message: "BadArguments for : empty op in multiRead",
              },
            },
          },
          {
            result: {
              $case: "error",
              value: { code: Code.NoNode, path: "/missing", message: expect.any(String) },
            },
          },
          {
            result: {
              $case: "error",
              value: {
                code: Code.BadArguments,
                path: "",
                message: "BadArguments for : multiRead takes getData and getChildren only",
              },
            },
          },
          { result: { $case: "getChildren", value: tree.getChildren("/a/b", IP) } },
        ],
      },
    });
  });
});

describe("watches set and removed by request", () => {
  it("addWatch: persistent (mode 0) or persistent recursive (mode 1); needs a session", () => {
    expect(read({ $case: "addWatch", value: { path: "/a", mode: 0 } })).toEqual({
      $case: "addWatch",
      value: {},
    });
    read({ $case: "addWatch", value: { path: "/e", mode: 1 } });
    expect([watches.has(SESSION, "/a", 4), watches.has(SESSION, "/a", 5)]).toEqual([true, false]);
    expect([watches.has(SESSION, "/e", 4), watches.has(SESSION, "/e", 5)]).toEqual([false, true]);
    expect(refusal(() => read({ $case: "addWatch", value: { path: "/a", mode: 0 } }, unary))).toEqual({
      code: Code.BadArguments,
      path: "/a",
      message: "BadArguments for /a: a watch needs a session (use SessionService)",
    });
    expect(refusal(() => read({ $case: "addWatch", value: { path: "a", mode: 0 } })).path).toBe("a");
  });

  it("removeWatches: the removal events go to the session's sink before the reply, with zxid -1", () => {
    read(getData("/a", true));
    read(getChildren("/a", true));
    const r = read({ $case: "removeWatches", value: { path: "/a", type: 3, checkOnly: false } });
    expect(r).toEqual({ $case: "removeWatches", value: {} });
    expect(sent).toEqual([
      { kind: { $case: "event", value: { type: 5, path: "/a", zxid: -1n } } },
      { kind: { $case: "event", value: { type: 6, path: "/a", zxid: -1n } } },
    ]);
    expect(watches.size).toBe(0);
  });

  it("removeWatches checkOnly: answers without removing or sending; NoWatcher names path and type", () => {
    read(getData("/a", true));
    expect(read({ $case: "removeWatches", value: { path: "/a", type: 2, checkOnly: true } })).toEqual({
      $case: "removeWatches",
      value: {},
    });
    expect(watches.has(SESSION, "/a", 2)).toBe(true);
    expect(sent).toEqual([]);
    expect(
      refusal(() => read({ $case: "removeWatches", value: { path: "/a", type: 1, checkOnly: true } })),
    ).toEqual({
      code: Code.NoWatcher,
      path: "/a",
      message: "NoWatcher for /a: no watch of type 1",
    });
    expect(
      refusal(() => read({ $case: "removeWatches", value: { path: "/b", type: 2, checkOnly: false } })),
    ).toEqual({
      code: Code.NoWatcher,
      path: "/b",
      message: "NoWatcher for /b: no watch of type 2",
    });
    expect(
      refusal(() =>
        read({ $case: "removeWatches", value: { path: "/a", type: 2, checkOnly: false } }, unary),
      ),
    ).toEqual({
      code: Code.BadArguments,
      path: "/a",
      message: "BadArguments for /a: removing a watch needs a session (use SessionService)",
    });
    expect(
      refusal(() => read({ $case: "removeWatches", value: { path: "/a/", type: 2, checkOnly: false } })).path,
    ).toBe("/a/");
  });

  it("setWatches: needs a session, validates every list's paths, and registers them", () => {
    const sw = (lists: Partial<Record<string, string[]>>): Op =>
      ({
        $case: "setWatches",
        value: {
          relativeZxid: BigInt(E + 5),
          dataWatches: [],
          existWatches: [],
          childWatches: [],
          persistentWatches: [],
          persistentRecursiveWatches: [],
          ...lists,
        },
      }) as Op;
    expect(refusal(() => read(sw({}), unary))).toEqual({
      code: Code.BadArguments,
      path: "",
      message: "BadArguments for : setWatches needs a session (use SessionService)",
    });
    for (const key of [
      "dataWatches",
      "existWatches",
      "childWatches",
      "persistentWatches",
      "persistentRecursiveWatches",
    ]) {
      expect(refusal(() => read(sw({ [key]: ["/ok", "bad"] }))).path, key).toBe("bad");
    }
    expect(watches.size).toBe(0);
    expect(
      read(sw({ dataWatches: ["/a"], childWatches: ["/a"], persistentRecursiveWatches: ["/e"] })),
    ).toEqual({
      $case: "setWatches",
      value: {},
    });
    expect([
      watches.has(SESSION, "/a", 2),
      watches.has(SESSION, "/a", 1),
      watches.has(SESSION, "/e", 5),
    ]).toEqual([true, true, true]);
    expect(sent).toEqual([]);
  });
});
