import { beforeEach, describe, expect, it } from "vitest";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import { CompareOp, CompareTarget, type Op as MultiOp } from "../../../server/gen/paddock/v1/data.js";
import type { Op } from "../../../server/pipeline/op-kinds.js";
import { buildWrite, NOOP, prepareWrite, type WriteInput } from "../../../server/pipeline/write-ops.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { AssertionError } from "../../../server/util/assert.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

// buildWrite / prepareWrite on a real Prep over a real DataTree: the body each op becomes.
const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const READ_ONLY = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];

const createOp = (path: string, acl = [] as typeof OPEN, mode = 0) => ({
  $case: "create" as const,
  value: { path, data: Buffer.from("x"), acl, mode, ttl: 0n },
});
const asOp = (op: unknown): Op => op as Op;
const sub = (op: unknown): MultiOp => ({ op }) as MultiOp;

let prep: Prep;
let base: Omit<WriteInput, "op">;
beforeEach(() => {
  // A long pathLengthMax so a refusal can carry a path longer than the log keeps.
  prep = new Prep(new DataTree(), {
    limits: { ...defaultLimits, pathLengthMax: 100_000 },
    extendedTypesEnabled: true,
  });
  base = { prep, sessionId: 5n, ids: [], now: 0, ephemeralAllowed: true, barrier: false };
});

const build = (op: unknown, extra: Partial<WriteInput> = {}) =>
  buildWrite(1, { ...base, op: asOp(op), ...extra });

/** The ACL of each create sub-transaction of a multi body, undefined for the others. */
function subAcls(body: ReturnType<typeof buildWrite>) {
  if (body.$case !== "multi") throw new Error(`not a multi: ${body.$case}`);
  return body.value.txns.map((t) => (t.body?.$case === "create" ? t.body.value.acl : undefined));
}

describe("a write's transaction body", () => {
  it("a barrier is the shared noop, whatever the op", () => {
    expect(build(createOp("/missing/child"), { barrier: true })).toBe(NOOP);
    expect(NOOP).toEqual({ $case: "noop", value: {} });
  });

  it("a create without an ACL gets world:anyone with every permission; one with an ACL keeps it", () => {
    const open = build(createOp("/a"));
    expect(open).toEqual({
      $case: "create",
      value: { path: "/a", data: Buffer.from("x"), acl: OPEN, ephemeralOwner: 0n, parentCversion: 1 },
    });
    const own = build(createOp("/b", READ_ONLY));
    expect(own.$case === "create" && own.value.acl).toEqual(READ_ONLY);
  });

  it("a multi's creates without an ACL get the default one, the rest of its ops unchanged", () => {
    const body = build({
      $case: "multi",
      value: {
        ops: [
          sub(createOp("/a")),
          sub(createOp("/b", READ_ONLY)),
          sub({ $case: "check", value: { path: "/", version: -1 } }),
          sub({ $case: "setData", value: { path: "/a", data: Buffer.from("y"), version: 0 } }),
        ],
      },
    });
    expect(subAcls(body)).toEqual([OPEN, READ_ONLY, undefined, undefined]);
    expect(body.$case === "multi" && body.value.txns.map((t) => t.body?.$case)).toEqual([
      "create",
      "create",
      "check",
      "setData",
    ]);
  });

  it("a multi op with no op inside is prep's refusal, not a TypeError", () => {
    expect(build({ $case: "multi", value: { ops: [sub(createOp("/a")), sub(undefined)] } })).toEqual({
      $case: "error",
      value: { code: Code.BadArguments, path: "", message: "BadArguments for : multi op 1 is empty" },
    });
  });

  it("a txn's branches get the default ACL too: the then branch and the else branch", () => {
    const branches = {
      thenOps: [sub(createOp("/then")), sub(createOp("/then-own", READ_ONLY))],
      elseOps: [sub(createOp("/else")), sub(createOp("/else-own", READ_ONLY))],
    };
    const holds = build({ $case: "txn", value: { compare: [], ...branches } });
    expect(holds.$case === "multi" && holds.value.compareSucceeded).toBe(true);
    expect(subAcls(holds)).toEqual([OPEN, READ_ONLY]);
    const missing = {
      path: "/nowhere",
      target: CompareTarget.COMPARE_TARGET_EXISTS,
      op: CompareOp.COMPARE_OP_EQUAL,
      value: 1n,
    };
    const fails = build({ $case: "txn", value: { compare: [missing], ...branches } });
    expect(fails.$case === "multi" && fails.value.compareSucceeded).toBe(false);
    expect(subAcls(fails)).toEqual([OPEN, READ_ONLY]);
    expect(
      fails.$case === "multi" && fails.value.txns.map((t) => t.body?.$case === "create" && t.body.value.path),
    ).toEqual(["/else", "/else-own"]);
  });

  it("delete, setData and setAcl go to their own prep", () => {
    build(createOp("/a"));
    expect(
      build({ $case: "setData", value: { path: "/a", data: Buffer.from("y"), version: -1 } }).$case,
    ).toBe("setData");
    expect(build({ $case: "setAcl", value: { path: "/a", acl: READ_ONLY, version: -1 } }).$case).toBe(
      "setAcl",
    );
    expect(build({ $case: "delete", value: { path: "/a", version: -1 } })).toEqual({
      $case: "delete",
      value: { path: "/a" },
    });
  });

  it("a close is the session's closeSession; without a session it is BadArguments", () => {
    expect(build({ $case: "close", value: {} })).toEqual({ $case: "closeSession", value: {} });
    expect(build({ $case: "close", value: {} }, { sessionId: 0n })).toEqual({
      $case: "error",
      value: { code: Code.BadArguments, path: "", message: "BadArguments for : close needs a session" },
    });
  });

  it("a reconfig without the leader's consensus state, and a read, are Unimplemented", () => {
    expect(
      build({
        $case: "reconfig",
        value: { joiningServers: "", leavingServers: "", newMembers: "", curConfigId: -1n },
      }),
    ).toEqual({
      $case: "error",
      value: { code: Code.Unimplemented, path: "", message: "reconfig needs the leader's consensus state" },
    });
    expect(build({ $case: "getData", value: { path: "/a", watch: false } })).toEqual({
      $case: "error",
      value: { code: Code.Unimplemented, path: "", message: "not a write: getData" },
    });
    const thrown = (() => {
      try {
        prepareWrite(prep, asOp({ $case: "exists", value: { path: "/a", watch: false } }), base, 1);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(PaddockError);
    expect((thrown as PaddockError).message).toBe("not a write: exists");
  });

  it("a reconfig with the leader's state goes to reconfig's prep (here: refused, reconfig disabled)", () => {
    const node = new ZabNode({ id: 1, voters: [1], acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax: 10 });
    const reconfig = {
      options: { enabled: false, standalone: false, standaloneEnabled: true },
      node,
      requestBytesMax: 1000,
    };
    const op = {
      $case: "reconfig",
      value: { joiningServers: "", leavingServers: "2", newMembers: "", curConfigId: -1n },
    };
    expect(build(op, { reconfig })).toEqual({
      $case: "error",
      value: {
        code: Code.ReconfigDisabled,
        path: "",
        message: "reconfig is disabled: set reconfigEnabled=true in zoo.cfg",
      },
    });
  });

  it("a refusal becomes an ErrorTxn with the prep's code, path and message", () => {
    expect(build(createOp("/missing/child"))).toEqual({
      $case: "error",
      value: { code: Code.NoNode, path: "/missing/child", message: "NoNode for /missing/child" },
    });
  });

  it("keeps a refusal's path and message up to 4096 characters and clips what is longer", () => {
    const path4085 = `/${"p".repeat(4084)}`;
    const kept = build({ $case: "delete", value: { path: path4085, version: -1 } });
    expect(kept).toEqual({
      $case: "error",
      value: { code: Code.NoNode, path: path4085, message: `NoNode for ${path4085}` },
    });

    const path4096 = `/${"q".repeat(4095)}`;
    const clippedMessage = build({ $case: "delete", value: { path: path4096, version: -1 } });
    expect(clippedMessage).toEqual({
      $case: "error",
      value: {
        code: Code.NoNode,
        path: path4096,
        message: `NoNode for ${path4096.slice(0, 4085)}… (11 more characters)`,
      },
    });

    const path4097 = `/${"r".repeat(4096)}`;
    const clippedBoth = build({ $case: "delete", value: { path: path4097, version: -1 } });
    expect(clippedBoth).toEqual({
      $case: "error",
      value: {
        code: Code.NoNode,
        path: `${path4097.slice(0, 4096)}… (1 more characters)`,
        message: `NoNode for ${path4097.slice(0, 4085)}… (12 more characters)`,
      },
    });
  });

  it("anything but a PaddockError is not a refusal: it is thrown on", () => {
    // An ephemeral create for session 0 breaks an invariant (AssertionError), not a client rule.
    expect(() => build(createOp("/e", [], 1), { sessionId: 0n })).toThrow(AssertionError);
  });
});
