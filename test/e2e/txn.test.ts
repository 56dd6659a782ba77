import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadArgumentsError,
  type Client,
  compare,
  connect,
  NoAuthError,
  NodeExistsError,
  op,
  PaddockError,
} from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// Compare-transactions (a Paddock extension; ZooKeeper's multi only checks a version) against a
// real server process, through the TypeScript client's session stream.

let server: ServerHandle;
let a: Client;
let b: Client;

beforeAll(async () => {
  server = await startServer();
  a = await connect(server.address, { sessionTimeoutMs: 10_000 });
  b = await connect(server.address, { sessionTimeoutMs: 10_000 });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await server?.stop();
});

const text = (d: Uint8Array): string => Buffer.from(d).toString("utf8");

describe("compare-transactions", () => {
  it("runs the then-branch when every condition holds, with per-op results", async () => {
    const { stat } = await a.create("/t1", "v0");
    const r = await a.txn({
      compare: [
        compare("/t1", "version", "=", 0),
        compare("/t1", "mzxid", "=", stat.mzxid),
        compare("/t1", "dataLength", ">", 1),
        compare("/t1", "numChildren", "<", 1),
        compare("/t1", "ephemeralOwner", "=", 0),
        compare("/t1/none", "exists", "=", false),
      ],
      thenOps: [op.setData("/t1", "v1"), op.create("/t1/c", "x")],
      elseOps: [op.setData("/t1", "else")],
    });
    expect(r.succeeded).toBe(true);
    expect(r.results.map((x) => x.type)).toEqual(["setData", "create"]);
    expect(text((await a.getData("/t1")).data)).toBe("v1");
  });

  it("runs the else-branch when one condition fails; the then-ops leave no trace", async () => {
    await a.create("/t2", "v0");
    const r = await a.txn({
      compare: [compare("/t2", "version", "=", 0), compare("/t2", "aversion", "!=", 0)],
      thenOps: [op.setData("/t2", "then"), op.create("/t2/then")],
      elseOps: [op.create("/t2/else", "e")],
    });
    expect(r.succeeded).toBe(false);
    expect(r.results).toEqual([expect.objectContaining({ type: "create", path: "/t2/else" })]);
    expect(text((await a.getData("/t2")).data)).toBe("v0");
    expect(await a.exists("/t2/then")).toBeNull();
  });

  it("an ephemeral owner and cversion are comparable; a failing op fails the branch atomically", async () => {
    await a.create("/t3");
    await a.create("/t3/e", "", { mode: "EPHEMERAL" });
    const failure = await a
      .txn({
        compare: [compare("/t3/e", "ephemeralOwner", "=", a.sessionId), compare("/t3", "cversion", "=", 1)],
        thenOps: [op.setData("/t3", "changed"), op.create("/t3/e")],
      })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NodeExistsError);
    expect(failure).toMatchObject({ succeeded: true });
    expect((failure as { results: unknown[] }).results).toHaveLength(2);
    expect((await a.exists("/t3"))?.version).toBe(0);
    // b's session does not own /t3/e: the else-branch (empty) runs.
    expect(await b.txn({ compare: [compare("/t3/e", "ephemeralOwner", "=", b.sessionId)] })).toEqual({
      succeeded: false,
      results: [],
    });
  });

  it("a lost race: two clients compare-and-set on mzxid, exactly one then-branch wins", async () => {
    for (let round = 0; round < 20; round++) {
      const path = `/race${round}`;
      const { stat } = await a.create(path, "start");
      const cas = (c: Client, who: string) =>
        c.txn({
          compare: [compare(path, "mzxid", "=", stat.mzxid)],
          thenOps: [op.setData(path, who)],
          elseOps: [op.check(path)],
        });
      const [ra, rb] = await Promise.all([cas(a, "a"), cas(b, "b")]);
      expect([ra.succeeded, rb.succeeded].filter(Boolean)).toHaveLength(1);
      const winner = ra.succeeded ? "a" : "b";
      const got = await a.getData(path, { linearizable: true });
      expect(text(got.data)).toBe(winner);
      expect(got.stat.version).toBe(1);
    }
  });

  it("under a chroot, conditions and both branches' paths are the client's", async () => {
    await a.create("/root5");
    const rooted = await connect(`${server.address}/root5`, { sessionTimeoutMs: 10_000 });
    try {
      const r = await rooted.txn({
        compare: [compare("/x", "exists", "=", false)],
        thenOps: [op.create("/x", "1"), op.create("/y-", "", { mode: "PERSISTENT_SEQUENTIAL" })],
      });
      expect(r.results).toEqual([
        expect.objectContaining({ type: "create", path: "/x" }),
        expect.objectContaining({ type: "create", path: "/y-0000000001" }),
      ]);
      expect(text((await a.getData("/root5/x")).data)).toBe("1");
      const again = await rooted.txn({
        compare: [compare("/x", "exists", "=", false)],
        elseOps: [op.setData("/x", "2")],
      });
      expect(again.succeeded).toBe(false);
      expect(text((await a.getData("/root5/x")).data)).toBe("2");
    } finally {
      await rooted.close();
    }
  });

  it("refuses a condition on an unreadable node (NoAuth), and bad conditions name the problem", async () => {
    await a.create("/t4", "", { acl: [{ perms: 2, id: { scheme: "world", id: "anyone" } }] });
    const refused = await a.txn({ compare: [compare("/t4", "version", "=", 0)] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NoAuthError);
    // No branch ran: the error says nothing of one.
    expect(refused).not.toHaveProperty("succeeded");
    const wire = compare("/t1", "exists", "=", true);
    const bad = { ...wire, wire: { ...wire.wire, op: 3 } };
    await expect(a.txn({ compare: [bad] })).rejects.toThrow(/existence takes = or !=/);
    const unknownTarget = { ...wire.wire };
    (unknownTarget as { target: number }).target = 42;
    await expect(a.txn({ compare: [{ ...wire, wire: unknownTarget }] })).rejects.toBeInstanceOf(
      BadArgumentsError,
    );
    await expect(a.txn({ compare: [{ ...wire, wire: unknownTarget }] })).rejects.toThrow(/unknown target 42/);
    expect(() => compare("/t1", "version", "=", 1.5)).toThrow(RangeError);
    expect(() => compare("bad", "version", "=", 0)).toThrow(PaddockError);
  });
});
