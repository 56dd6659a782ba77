import { describe, expect, it, vi } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { type NodeCopy, nodeData, nodeStat } from "../../../server/pipeline/change-history.js";
import { nodesBefore } from "../../../server/pipeline/prev-nodes.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { create, del, E, setData, txn } from "../tree/txns.js";

// What the watch stream's with_prev_data reads before a committed transaction applies: the nodes
// each kind of transaction can change or delete, as they were (found by mutation testing,
// docs/TESTING.md).

/** Each captured node as "path data version mzxid" (mzxid's counter in epoch 1), in map order. */
function seen(nodes: Map<string, NodeCopy> | undefined): string[] | undefined {
  if (nodes === undefined) return undefined;
  return [...nodes].map(([path, n]) => {
    const stat = nodeStat(n);
    const mzxid = stat.mzxid === 0n ? 0 : Number(stat.mzxid) - E;
    return `${path} ${nodeData(n).data.toString()} v${stat.version} m${mzxid}`;
  });
}

/** A tree with /a = "a0" (version 0), /b = "b1" (version 1), /e and session 5's ephemerals /e/x, /e/y. */
function tree(): DataTree {
  const t = new DataTree();
  t.apply(txn(E + 1, create("/a", "a0")));
  t.apply(txn(E + 2, create("/b", "b0")));
  t.apply(txn(E + 3, setData("/b", "b1", 1)));
  t.apply(txn(E + 4, create("/e")));
  t.apply(txn(E + 5, create("/e/y", "y", -1, 5n)));
  t.apply(txn(E + 6, create("/e/x", "x", -1, 5n)));
  return t;
}

const captured = (t: DataTree, body: Txn["body"], sessionId = 0n) =>
  seen(nodesBefore(txn(E + 10, body, 2000, sessionId), t));

describe("nodesBefore: the nodes a transaction may change, read before it applies", () => {
  it("setData, delete and deleteContainer capture their node", () => {
    const t = tree();
    expect(captured(t, setData("/b", "new", 2))).toEqual(["/b b1 v1 m3"]);
    expect(captured(t, del("/a"))).toEqual(["/a a0 v0 m1"]);
    expect(captured(t, { $case: "deleteContainer", value: { path: "/e" } })).toEqual(["/e  v0 m4"]);
  });

  it("the stat is the client's view of the node, every field", () => {
    const t = tree();
    const e = nodesBefore(txn(E + 10, del("/e/x"), 2000), t)?.get("/e/x");
    expect(e && nodeStat(e)).toEqual({
      czxid: BigInt(E + 6),
      mzxid: BigInt(E + 6),
      ctime: 1006n,
      mtime: 1006n,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 5n,
      dataLength: 1,
      numChildren: 0,
      pzxid: BigInt(E + 6),
    });
  });

  it("reconfig captures /zookeeper/config", () => {
    const t = tree();
    const reconfig: Txn["body"] = { $case: "reconfig", value: { members: [] } };
    expect(captured(t, reconfig)).toEqual(["/zookeeper/config  v0 m0"]);
  });

  it("closeSession captures the session's ephemerals; a session without any captures nothing", () => {
    const t = tree();
    const close: Txn["body"] = { $case: "closeSession", value: {} };
    expect(captured(t, close, 5n)?.sort()).toEqual(["/e/x x v0 m6", "/e/y y v0 m5"]);
    const lookups = vi.spyOn(t.store, "get");
    expect(captured(t, close, 9n)).toBeUndefined();
    expect(lookups).not.toHaveBeenCalled();
  });

  it("a multi captures its setData and delete targets only, each once, as before the whole multi", () => {
    const t = tree();
    const multi: Txn["body"] = {
      $case: "multi",
      value: {
        txns: [
          txn(0, { $case: "check", value: { path: "/e", version: -1 } }),
          txn(0, create("/c")),
          txn(0, setData("/b", "b2", 2)),
          txn(0, del("/a")),
          txn(0, setData("/a", "never", 1)),
          txn(0, del("/b")),
          txn(0, setData("/missing", "m", 1)),
          txn(0, { $case: "error", value: { code: 0, path: "/e/x" } }),
        ],
      },
    };
    expect(captured(t, multi)).toEqual(["/b b1 v1 m3", "/a a0 v0 m1"]);
    // A node touched twice is looked up once: its first sight is kept.
    const lookups = vi.spyOn(t.store, "get");
    nodesBefore(txn(E + 10, multi, 2000), t);
    expect(lookups.mock.calls.map((c) => c[0])).toEqual(["/b", "/a", "/missing"]);
  });

  it("a multi's lone delete and lone setData each capture their node", () => {
    const t = tree();
    const multi = (...txns: Txn[]): Txn["body"] => ({ $case: "multi", value: { txns } });
    expect(captured(t, multi(txn(0, del("/a"))))).toEqual(["/a a0 v0 m1"]);
    expect(captured(t, multi(txn(0, setData("/b", "b2", 2))))).toEqual(["/b b1 v1 m3"]);
  });

  it("a multi of only creates and checks, or with a body-less sub-transaction, captures nothing", () => {
    const t = tree();
    const multi: Txn["body"] = {
      $case: "multi",
      value: {
        txns: [
          txn(0, create("/a")),
          txn(0, { $case: "check", value: { path: "/a", version: 0 } }),
          txn(0, undefined),
        ],
      },
    };
    expect(captured(t, multi)).toBeUndefined();
  });

  it("a missing node is not captured", () => {
    const t = tree();
    expect(captured(t, setData("/missing", "m", 1))).toBeUndefined();
    expect(captured(t, del("/missing"))).toBeUndefined();
    const multi: Txn["body"] = { $case: "multi", value: { txns: [txn(0, del("/missing"))] } };
    expect(captured(t, multi)).toBeUndefined();
  });

  it("kinds that fire no data-changed or deleted event capture nothing, nor a body-less txn", () => {
    const t = tree();
    const kinds: Txn["body"][] = [
      create("/a"),
      { $case: "setAcl", value: { path: "/a", acl: [], version: 1 } },
      { $case: "check", value: { path: "/a", version: 0 } },
      { $case: "createSession", value: { timeoutMs: 1000, password: Buffer.alloc(0) } },
      { $case: "error", value: { code: 0, path: "/a" } },
      { $case: "noop", value: {} },
      undefined,
    ];
    for (const body of kinds) expect(captured(t, body, 5n), body?.$case).toBeUndefined();
  });
});
