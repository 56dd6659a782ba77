import { describe, expect, it } from "vitest";
import type { Reply, Request } from "../../../server/gen/paddock/v1/session.js";
import { auditLine, auditLinesOf, auditUser } from "../../../server/pipeline/audit.js";

// Each field of an audit line as ZooKeeper's AuditHelper fills it: permission strings, ACL ids,
// user names, create modes, the names a multi's creates got, and what is left out.
const ip = { scheme: "ip", id: "10.0.0.7" };
const ok = (result?: Reply["result"]): Reply => ({ xid: 1, zxid: 5n, result });
const failed: Reply = { xid: 1, zxid: 5n, error: { code: -101, message: "NoNode", path: "/a" } as never };
const req = (op: unknown): Request => ({ xid: 1, timeoutMs: 0, op }) as unknown as Request;
const HEAD = "session=0x1\tuser=10.0.0.7\tip=10.0.0.7";
const createOp = (path: string, mode: number) => ({
  $case: "create",
  value: { path, data: Buffer.alloc(0), acl: [], mode, ttl: 0n },
});

describe("audit line fields", () => {
  it("spells each permission bit as ZooKeeper's getPermString, in r w c d a order", () => {
    const acl = [1, 2, 4, 8, 16, 0, 31].map((perms) => ({ perms, id: { scheme: "world", id: "anyone" } }));
    const [line] = auditLinesOf(1n, [ip], req({ $case: "setAcl", value: { path: "/a", acl } }), ok());
    expect(line).toBe(
      `${HEAD}\toperation=setAcl\tznode=/a\tacl=world:anyone:r,world:anyone:w,world:anyone:c,` +
        "world:anyone:d,world:anyone:a,world:anyone:,world:anyone:rwcda\tresult=success",
    );
  });

  it("writes an ACL entry without an id as empty scheme and id", () => {
    const [line] = auditLinesOf(
      1n,
      [ip],
      req({ $case: "setAcl", value: { path: "/a", acl: [{ perms: 3 }] } }),
      ok(),
    );
    expect(line).toBe(`${HEAD}\toperation=setAcl\tznode=/a\tacl=::rw\tresult=success`);
  });

  it("names users: a digest identity by its user part, any other by its id", () => {
    expect(
      auditUser([
        { scheme: "digest", id: "alice:hash" },
        { scheme: "digest", id: "nocolon" },
        { scheme: "sasl", id: "bob:x" },
        ip,
      ]),
    ).toBe("alice,nocolon,bob:x,10.0.0.7");
    expect(auditUser([])).toBe("");
  });

  it("leaves out the ip without an ip identity, and strips tabs and line breaks from values", () => {
    const line = auditLine(
      "0x1",
      "a\tb",
      undefined,
      { operation: "setData", znode: "/x\r\ny\tz" },
      "invoked",
    );
    expect(line).toBe("session=0x1\tuser=ab\toperation=setData\tznode=/xyz\tresult=invoked");
    expect(auditLinesOf(2n, [], req({ $case: "delete", value: { path: "/d" } }), ok())).toEqual([
      "session=0x2\tuser=\toperation=delete\tznode=/d\tresult=success",
    ]);
  });

  it("names every create mode as ZooKeeper's CreateMode in lower case, and the request's path when refused", () => {
    const modes = [0, 1, 2, 3, 4, 5, 6].map(
      (mode) => auditLinesOf(1n, [ip], req(createOp("/n", mode)), failed)[0],
    );
    expect(modes).toEqual(
      [
        "persistent",
        "ephemeral",
        "persistent_sequential",
        "ephemeral_sequential",
        "container",
        "persistent_with_ttl",
        "persistent_sequential_with_ttl",
      ].map((type) => `${HEAD}\toperation=create\tznode=/n\tznode_type=${type}\tresult=failure`),
    );
  });

  it("audits a multi's creates under the names they got, their modes, and setData; a missing op is skipped", () => {
    const multi = req({
      $case: "multi",
      value: {
        ops: [
          { op: createOp("/q-", 2) },
          {},
          { op: { $case: "setData", value: { path: "/s", data: Buffer.alloc(0) } } },
          { op: createOp("/plain", 0) },
        ],
      },
    });
    const results = [{ result: { $case: "create", value: { path: "/q-0000000007" } } }, {}, {}, {}];
    expect(auditLinesOf(1n, [ip], multi, ok({ $case: "multi", value: { results } } as never))).toEqual([
      `${HEAD}\toperation=create\tznode=/q-0000000007\tznode_type=persistent_sequential\tresult=success`,
      `${HEAD}\toperation=setData\tznode=/s\tresult=success`,
      `${HEAD}\toperation=create\tznode=/plain\tznode_type=persistent\tresult=success`,
    ]);
  });

  it("a txn's results name its creates too; a refused txn is one multiOperation failure", () => {
    const txn = req({
      $case: "txn",
      value: { compare: [], thenOps: [{ op: createOp("/t-", 2) }], elseOps: [] },
    });
    const results = [{ result: { $case: "create", value: { path: "/t-0000000001" } } }];
    expect(
      auditLinesOf(1n, [ip], txn, ok({ $case: "txn", value: { succeeded: true, results } } as never)),
    ).toEqual([
      `${HEAD}\toperation=create\tznode=/t-0000000001\tznode_type=persistent_sequential\tresult=success`,
    ]);
    expect(auditLinesOf(1n, [ip], txn, failed)).toEqual([
      `${HEAD}\toperation=multiOperation\tresult=failure`,
    ]);
  });

  it("a multi answered without results audits its ops under the requested names", () => {
    const multi = req({ $case: "multi", value: { ops: [{ op: createOp("/q-", 2) }] } });
    expect(auditLinesOf(1n, [ip], multi, ok())).toEqual([
      `${HEAD}\toperation=create\tznode=/q-\tznode_type=persistent_sequential\tresult=success`,
    ]);
  });

  it("takes the ip from the ip identity wherever it is in the list", () => {
    const ids = [{ scheme: "digest", id: "alice:hash" }, ip];
    expect(
      auditLinesOf(1n, ids, req({ $case: "setData", value: { path: "/s", data: Buffer.alloc(0) } }), ok()),
    ).toEqual(["session=0x1\tuser=alice,10.0.0.7\tip=10.0.0.7\toperation=setData\tznode=/s\tresult=success"]);
  });

  it("a txn answered without a result audits its then branch", () => {
    const txn = req({
      $case: "txn",
      value: {
        compare: [],
        thenOps: [{ op: { $case: "delete", value: { path: "/then" } } }],
        elseOps: [{ op: { $case: "delete", value: { path: "/else" } } }],
      },
    });
    expect(auditLinesOf(1n, [ip], txn, ok())).toEqual([
      `${HEAD}\toperation=delete\tznode=/then\tresult=success`,
    ]);
  });

  it("a request without an op, and a session's close, give no line", () => {
    expect(auditLinesOf(1n, [ip], req(undefined), ok())).toEqual([]);
    expect(auditLinesOf(1n, [ip], req({ $case: "close", value: {} }), ok())).toEqual([]);
  });
});
