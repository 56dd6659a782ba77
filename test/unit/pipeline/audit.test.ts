import { describe, expect, it } from "vitest";
import { CreateMode } from "../../../server/gen/paddock/v1/data.js";
import type { Reply, Request } from "../../../server/gen/paddock/v1/session.js";
import { auditLine, auditLinesOf, auditUser } from "../../../server/pipeline/audit.js";

const ids = [
  { scheme: "ip", id: "10.0.0.7" },
  { scheme: "digest", id: "alice:Q1a2b3c=" },
];
const ok = (result?: Reply["result"]): Reply => ({ xid: 1, zxid: 5n, result });
const failed: Reply = { xid: 1, zxid: 5n, error: { code: -101, message: "NoNode", path: "/a" } as never };

describe("the audit log (ZooKeeper's AuditEvent lines)", () => {
  it("audits reconfig as ZooKeeper's AuditHelper: the config node when it succeeded, none when refused", () => {
    const reconfig = {
      xid: 3,
      timeoutMs: 0,
      op: { $case: "reconfig", value: { joiningServers: "", leavingServers: "3", newMembers: "" } },
    } as unknown as Request;
    const done = ok({ $case: "reconfig", value: { data: Buffer.from("version=1") } });
    expect(auditLinesOf(1n, ids, reconfig, done)).toEqual([
      "session=0x1\tuser=10.0.0.7,alice\tip=10.0.0.7\toperation=reconfig\tznode=/zookeeper/config\tresult=success",
    ]);
    expect(auditLinesOf(1n, ids, reconfig, failed)).toEqual([
      "session=0x1\tuser=10.0.0.7,alice\tip=10.0.0.7\toperation=reconfig\tresult=failure",
    ]);
  });

  it("writes ZooKeeper's keys in its order, tab-separated, result last", () => {
    expect(
      auditLine(
        "0x1",
        "u",
        "1.2.3.4",
        { operation: "create", znode: "/a", znodeType: "persistent" },
        "success",
      ),
    ).toBe(
      "session=0x1\tuser=u\tip=1.2.3.4\toperation=create\tznode=/a\tznode_type=persistent\tresult=success",
    );
    expect(auditLine(undefined, "root", undefined, { operation: "serverStart" }, "success")).toBe(
      "user=root\toperation=serverStart\tresult=success",
    );
    expect(auditUser(ids)).toBe("10.0.0.7,alice");
  });

  it("audits create (with the sequential name), delete, setData and setAcl, success and failure", () => {
    const create: Request = {
      xid: 1,
      timeoutMs: 0,
      op: {
        $case: "create",
        value: {
          path: "/q-",
          data: Buffer.alloc(0),
          acl: [],
          mode: CreateMode.CREATE_MODE_EPHEMERAL_SEQUENTIAL,
          ttl: 0n,
        },
      },
    } as unknown as Request;
    const created = ok({ $case: "create", value: { path: "/q-0000000003" } });
    expect(auditLinesOf(0x10an, ids, create, created)).toEqual([
      "session=0x10a\tuser=10.0.0.7,alice\tip=10.0.0.7\toperation=create\tznode=/q-0000000003\tznode_type=ephemeral_sequential\tresult=success",
    ]);
    const setAcl = {
      xid: 2,
      timeoutMs: 0,
      op: {
        $case: "setAcl",
        value: { path: "/a", acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }] },
      },
    } as unknown as Request;
    expect(auditLinesOf(1n, ids, setAcl, failed)[0]).toContain(
      "operation=setAcl\tznode=/a\tacl=world:anyone:rwcda\tresult=failure",
    );
    const read = {
      xid: 3,
      timeoutMs: 0,
      op: { $case: "getData", value: { path: "/a" } },
    } as unknown as Request;
    expect(auditLinesOf(1n, ids, read, ok())).toEqual([]);
  });

  it("audits a multi per changed node, or one multiOperation failure", () => {
    const multi = {
      xid: 4,
      timeoutMs: 0,
      op: {
        $case: "multi",
        value: {
          ops: [
            { op: { $case: "check", value: { path: "/c", version: 1 } } },
            { op: { $case: "delete", value: { path: "/d" } } },
            { op: { $case: "setData", value: { path: "/s", data: Buffer.from("x") } } },
          ],
        },
      },
    } as unknown as Request;
    const lines = auditLinesOf(1n, ids, multi, ok({ $case: "multi", value: { results: [] } }));
    expect(lines.map((l) => /operation=(\w+)\tznode=(\S+)/.exec(l)?.slice(1).join(" "))).toEqual([
      "delete /d",
      "setData /s",
    ]);
    expect(auditLinesOf(1n, ids, multi, failed)).toEqual([
      "session=0x1\tuser=10.0.0.7,alice\tip=10.0.0.7\toperation=multiOperation\tresult=failure",
    ]);
  });

  it("audits a compare-transaction as the branch that ran", () => {
    const txn = {
      xid: 5,
      timeoutMs: 0,
      op: {
        $case: "txn",
        value: {
          compare: [],
          thenOps: [{ op: { $case: "delete", value: { path: "/then" } } }],
          elseOps: [{ op: { $case: "setData", value: { path: "/else", data: Buffer.from("x") } } }],
        },
      },
    } as unknown as Request;
    const branch = (succeeded: boolean) =>
      auditLinesOf(1n, ids, txn, ok({ $case: "txn", value: { succeeded, results: [] } })).map((l) =>
        /operation=(\w+)\tznode=(\S+)/.exec(l)?.slice(1).join(" "),
      );
    expect(branch(true)).toEqual(["delete /then"]);
    expect(branch(false)).toEqual(["setData /else"]);
  });
});
