import { describe, expect, it } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { ttlOwner } from "../../../server/tree/ephemeral-type.js";
import { Code } from "../../../server/util/error-code.js";
import { create, del, E, OPEN, setAcl, setData, txn } from "./txns.js";

// The outcome of each committed transaction body: code, the path an error names, the result the
// reply carries, and (for a refused write) its message.
const NONE = { $case: "none", value: undefined };
const err = (code: number, path?: string, message?: string): Txn["body"] => ({
  $case: "error",
  value: { code, path, message },
});

describe("applying committed transactions", () => {
  it("create, setData, setAcl, delete: the result on success, the code and path on failure", () => {
    const tree = new DataTree();
    const c = tree.apply(txn(E + 1, create("/a", "x")));
    expect([c.code, c.path, c.result.$case]).toEqual([Code.OK, "", "create"]);
    expect(c.result.value).toMatchObject({ path: "/a", stat: { czxid: BigInt(E + 1), dataLength: 1 } });
    const again = tree.apply(txn(E + 2, create("/a")));
    expect([again.code, again.path, again.result]).toEqual([Code.NodeExists, "/a", NONE]);
    // A txn carries the version the node gets (prep checked the client's expected one).
    const sd = tree.apply(txn(E + 3, setData("/a", "yy", 1)));
    expect([sd.code, sd.path, sd.result.$case]).toEqual([Code.OK, "", "setData"]);
    expect(sd.result.value).toMatchObject({ stat: { version: 1, dataLength: 2 } });
    const missing = tree.apply(txn(E + 4, setData("/b", "z", 1)));
    expect([missing.code, missing.path, missing.result]).toEqual([Code.NoNode, "/b", NONE]);
    const sa = tree.apply(txn(E + 5, setAcl("/a", OPEN, 1)));
    expect([sa.code, sa.path, sa.result.$case]).toEqual([Code.OK, "", "setAcl"]);
    expect(sa.result.value).toMatchObject({ stat: { aversion: 1 } });
    const missingAcl = tree.apply(txn(E + 6, setAcl("/b", OPEN, 1)));
    expect([missingAcl.code, missingAcl.path, missingAcl.result]).toEqual([Code.NoNode, "/b", NONE]);
    const d = tree.apply(txn(E + 7, del("/a")));
    expect([d.code, d.path, d.result]).toEqual([Code.OK, "", { $case: "delete", value: {} }]);
    const gone = tree.apply(txn(E + 8, del("/a")));
    expect([gone.code, gone.path, gone.result]).toEqual([Code.NoNode, "/a", NONE]);
    expect("message" in gone).toBe(false);
  });

  it("check, createSession, noop; a refused write carries its code, path and message, or none", () => {
    const tree = new DataTree();
    const check = tree.apply(txn(E + 1, { $case: "check", value: { path: "/", version: -1 } }));
    expect([check.code, check.path, check.result]).toEqual([Code.OK, "", { $case: "check", value: {} }]);
    const session = { $case: "createSession", value: { timeoutMs: 1, password: Buffer.alloc(0) } } as const;
    const cs = tree.apply(txn(E + 2, session));
    expect([cs.code, cs.path, cs.result]).toEqual([Code.OK, "", { $case: "session", value: undefined }]);
    const noop = tree.apply(txn(E + 3, { $case: "noop", value: {} }));
    expect([noop.code, noop.path, noop.result]).toEqual([Code.OK, "", NONE]);
    const refused = tree.apply(txn(E + 4, err(Code.BadVersion, "/x", "version 3, expected 2")));
    expect([refused.code, refused.path, refused.message, refused.result]).toEqual([
      Code.BadVersion,
      "/x",
      "version 3, expected 2",
      NONE,
    ]);
    const bare = tree.apply(txn(E + 5, err(Code.NoNode)));
    expect([bare.code, bare.path, "message" in bare]).toEqual([Code.NoNode, "", false]);
    expect(() => tree.apply(txn(E + 6, undefined))).toThrow(`txn ${E + 6} has no body`);
  });

  it("closeSession deletes the session's ephemerals in path order and reports a session result", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/e", "", -1)));
    for (const [i, name] of ["b", "a", "c"].entries())
      tree.apply(txn(E + 2 + i, create(`/e/${name}`, "", -1, 5n)));
    tree.apply(txn(E + 5, create("/e/other", "", -1, 6n)));
    const out = tree.apply(txn(E + 6, { $case: "closeSession", value: {} }, 2000, 5n));
    expect([out.code, out.path, out.result]).toEqual([Code.OK, "", { $case: "session", value: undefined }]);
    expect(out.triggers.filter((t) => t.type === 2).map((t) => t.path)).toEqual(["/e/a", "/e/b", "/e/c"]);
    expect(tree.getChildren("/e", []).children).toEqual(["other"]);
    const none = tree.apply(txn(E + 7, { $case: "closeSession", value: {} }, 2000, 9n));
    expect([none.code, none.triggers]).toEqual([Code.OK, []]);
  });

  it("deleteContainer removes a TTL node only once its TTL has passed since its last change", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/t", "", -1, ttlOwner(100)), 1000));
    const early = tree.apply(txn(E + 2, { $case: "deleteContainer", value: { path: "/t" } }, 1100));
    expect([early.code, early.result, tree.exists("/t") !== undefined]).toEqual([Code.OK, NONE, true]);
    const late = tree.apply(txn(E + 3, { $case: "deleteContainer", value: { path: "/t" } }, 1101));
    expect([late.code, late.path, late.result]).toEqual([Code.OK, "", { $case: "delete", value: {} }]);
    expect(tree.exists("/t")).toBeUndefined();
    // Neither a persistent node nor an ephemeral is a container, however empty.
    tree.apply(txn(E + 4, create("/p")));
    tree.apply(txn(E + 5, create("/e", "", -1, 5n)));
    for (const [i, path] of ["/p", "/e"].entries()) {
      const out = tree.apply(txn(E + 6 + i, { $case: "deleteContainer", value: { path } }, 99_999));
      expect([out.result, tree.exists(path) !== undefined]).toEqual([NONE, true]);
    }
  });

  it("setData keeps ZooKeeper's null data only when the txn says so", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/a", "x")));
    tree.apply(txn(E + 2, setData("/a", "", 1)));
    expect(tree.getData("/a", []).dataNull).toBeUndefined();
    const body = {
      $case: "setData",
      value: { path: "/a", data: Buffer.alloc(0), version: 2, dataNull: true },
    } as const;
    tree.apply(txn(E + 3, body));
    expect(tree.getData("/a", []).dataNull).toBe(true);
  });

  it("a multi with an ErrorTxn applies nothing: OK before the failing op, its code, RuntimeInconsistency after", () => {
    const tree = new DataTree();
    const body: Txn["body"] = {
      $case: "multi",
      value: {
        txns: [
          txn(0, create("/m")),
          txn(0, err(Code.OK)),
          txn(0, err(Code.NoNode)),
          txn(0, err(Code.RuntimeInconsistency)),
        ],
      },
    };
    const out = tree.apply(txn(E + 1, body));
    expect([out.code, out.path]).toEqual([Code.NoNode, ""]);
    const codes = [Code.OK, Code.OK, Code.NoNode, Code.RuntimeInconsistency];
    expect(out.result).toEqual({
      $case: "multi",
      value: {
        results: codes.map((code) => ({
          result: { $case: "error", value: { code, path: "", message: "" } },
        })),
      },
    });
    expect(tree.exists("/m")).toBeUndefined();
    const first: Txn["body"] = {
      $case: "multi",
      value: { txns: [txn(0, err(Code.NoNode)), txn(0, create("/m"))] },
    };
    expect(tree.apply(txn(E + 2, first)).code).toBe(Code.NoNode);
    const bad: Txn["body"] = { $case: "multi", value: { txns: [txn(0, err(Code.OK))] } };
    expect(() => tree.apply(txn(E + 3, bad))).toThrow(`multi ${E + 3} has ErrorTxns but no failing code`);
  });

  it("a multi applied op by op reports each op's result and the first failing code", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/x")));
    const body: Txn["body"] = {
      $case: "multi",
      value: {
        txns: [
          txn(0, create("/m")),
          txn(0, create("/x")),
          txn(0, del("/nothing")),
          txn(0, { $case: "check", value: { path: "/m", version: -1 } }),
          txn(0, setData("/m", "d", -1)),
          txn(0, del("/m")),
        ],
      },
    };
    const out = tree.apply(txn(E + 2, body));
    expect([out.code, out.path]).toEqual([Code.NodeExists, ""]);
    const results = (out.result as { value: { results: { result: { $case: string; value: unknown } }[] } })
      .value.results;
    expect(results.map((r) => r.result.$case)).toEqual([
      "create",
      "error",
      "error",
      "check",
      "setData",
      "delete",
    ]);
    expect(results[1]!.result.value).toEqual({ code: Code.NodeExists, path: "/x", message: "" });
    expect(results[2]!.result.value).toEqual({ code: Code.NoNode, path: "/nothing", message: "" });
    const session: Txn["body"] = {
      $case: "multi",
      value: {
        txns: [txn(0, { $case: "createSession", value: { timeoutMs: 1, password: Buffer.alloc(0) } })],
      },
    };
    expect(() => tree.apply(txn(E + 3, session))).toThrow("multi op with result session");
  });
});
