import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadVersionError,
  type Client,
  connect,
  InvalidPathError,
  NoAuthError,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  op,
  PaddockError,
  Perms,
  readOp,
} from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

let server: ServerHandle;
let client: Client;

beforeAll(async () => {
  server = await startServer({ settings: { extendedTypesEnabled: true } });
  client = await connect(server.address, { sessionTimeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

describe("TypeScript client against a real server: CRUD", () => {
  it("connects with a session id and negotiated timeout", () => {
    expect(client.state).toBe("connected");
    expect(client.sessionId).not.toBe(0n);
    expect(client.negotiatedTimeoutMs).toBeGreaterThan(0);
  });

  it("creates, reads, sets with versions and deletes with versions", async () => {
    const created = await client.create("/crud", "v0");
    expect(created.path).toBe("/crud");
    expect(created.stat.version).toBe(0);
    const got = await client.getData("/crud");
    expect(text(got.data)).toBe("v0");
    expect(got.stat.dataLength).toBe(2);
    const s1 = await client.setData("/crud", "v1", 0);
    expect(s1.version).toBe(1);
    expect(s1.mzxid).toBeGreaterThan(s1.czxid);
    await expect(client.setData("/crud", "x", 0)).rejects.toBeInstanceOf(BadVersionError);
    const s2 = await client.setData("/crud", "v2"); // -1: any version
    expect(s2.version).toBe(2);
    await expect(client.delete("/crud", 1)).rejects.toBeInstanceOf(BadVersionError);
    await client.delete("/crud", 2);
    expect(await client.exists("/crud")).toBeNull();
  });

  it("tracks cversion, numChildren and pzxid on the parent", async () => {
    await client.create("/par");
    const c = await client.create("/par/a");
    let st = (await client.exists("/par"))!;
    expect(st.numChildren).toBe(1);
    expect(st.cversion).toBe(1);
    expect(st.pzxid).toBe(c.stat.czxid);
    await client.create("/par/b");
    await client.delete("/par/a");
    st = (await client.exists("/par"))!;
    expect(st.numChildren).toBe(1);
    expect(st.cversion).toBe(3);
    expect((await client.getChildren("/par")).children).toEqual(["b"]);
  });

  it("supports every create mode", async () => {
    await client.create("/modes");
    const seq1 = await client.create("/modes/p-", "", { mode: "PERSISTENT_SEQUENTIAL" });
    const seq2 = await client.create("/modes/p-", "", { mode: "PERSISTENT_SEQUENTIAL" });
    expect(seq1.path).toMatch(/^\/modes\/p-\d{10}$/);
    expect(Number(seq2.path.slice(-10))).toBe(Number(seq1.path.slice(-10)) + 1);
    const eph = await client.create("/modes/e", "", { mode: "EPHEMERAL" });
    expect(eph.stat.ephemeralOwner).toBe(client.sessionId);
    const ephSeq = await client.create("/modes/es-", "", { mode: "EPHEMERAL_SEQUENTIAL" });
    expect(ephSeq.path).toMatch(/^\/modes\/es-\d{10}$/);
    expect(ephSeq.stat.ephemeralOwner).toBe(client.sessionId);
    const container = await client.create("/modes/c", "", { mode: "CONTAINER" });
    // ZooKeeper 3.8 (checked with zkCli): containers and TTL nodes show ephemeralOwner 0x0.
    expect(container.stat.ephemeralOwner).toBe(0n);
    const ttl = await client.create("/modes/t", "", { mode: "PERSISTENT_WITH_TTL", ttl: 60_000 });
    expect(ttl.stat.ephemeralOwner).toBe(0n);
    const ttlSeq = await client.create("/modes/ts-", "", {
      mode: "PERSISTENT_SEQUENTIAL_WITH_TTL",
      ttl: 60_000,
    });
    expect(ttlSeq.path).toMatch(/^\/modes\/ts-\d{10}$/);
    await expect(client.create("/modes/e/child")).rejects.toBeInstanceOf(NoChildrenForEphemeralsError);
    expect((await client.getChildren("/modes")).children.length).toBe(7);
  });

  it("throws typed errors carrying the path", async () => {
    const noNode = await client.getData("/missing/x").catch((e: unknown) => e);
    expect(noNode).toBeInstanceOf(NoNodeError);
    expect(noNode).toBeInstanceOf(PaddockError);
    expect((noNode as PaddockError).path).toBe("/missing/x");
    expect((noNode as PaddockError).is("NoNode")).toBe(true);
    await client.create("/errs");
    const exists = await client.create("/errs").catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(NodeExistsError);
    expect((exists as PaddockError).path).toBe("/errs");
    await client.create("/errs/c");
    await expect(client.delete("/errs")).rejects.toBeInstanceOf(NotEmptyError);
    await expect(client.create("/missing/child")).rejects.toBeInstanceOf(NoNodeError);
    await expect(client.getData("bad")).rejects.toBeInstanceOf(InvalidPathError);
  });

  it("multi: success results, and on failure every op's outcome with nothing applied", async () => {
    const ok = await client.multi([
      op.create("/m"),
      op.create("/m/a", "x"),
      op.setData("/m/a", "y", 0),
      op.check("/m", 0),
    ]);
    expect(ok.map((r) => r.type)).toEqual(["create", "create", "setData", "check"]);
    expect(ok[1]?.type === "create" && ok[1].path).toBe("/m/a");
    const failure = await client
      .multi([op.create("/m/b"), op.delete("/m/a", 7), op.create("/m/c")])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BadVersionError);
    const results = (failure as { results: { type: string; error?: PaddockError }[] }).results;
    expect(results.map((r) => r.type)).toEqual(["error", "error", "error"]);
    expect(results[1]?.error?.code).toBe(-103);
    expect(results[0]?.error?.code).toBe(0); // ZooKeeper: ops before the failure report OK
    expect(results[2]?.error?.code).toBe(-2); // and the ones after RuntimeInconsistency
    expect(await client.exists("/m/b")).toBeNull();
    const reads = await client.multiRead([
      readOp.getData("/m/a"),
      readOp.getChildren("/m"),
      readOp.getData("/nope"),
    ]);
    expect(reads[0]?.type === "getData" && text(reads[0].data)).toBe("y");
    expect(reads[1]?.type === "getChildren" && reads[1].children).toEqual(["a"]);
    expect(reads[2]?.type === "error" && reads[2].error).toBeInstanceOf(NoNodeError);
  });

  it("ACL with digest auth: NoAuth without credentials, access with them", async () => {
    const digest = createHash("sha1").update("alice:secret").digest("base64");
    const acl = [{ perms: Perms.ALL, id: { scheme: "digest", id: `alice:${digest}` } }];
    await client.create("/secret", "s", { acl });
    await expect(client.getData("/secret")).rejects.toBeInstanceOf(NoAuthError);
    await expect(client.setData("/secret", "x")).rejects.toBeInstanceOf(NoAuthError);
    // ZooKeeper 3.8: getACL needs READ or ADMIN.
    await expect(client.getACL("/secret")).rejects.toBeInstanceOf(NoAuthError);
    const alice = await connect(server.address, { auth: [{ scheme: "digest", auth: "alice:secret" }] });
    try {
      expect(text((await alice.getData("/secret")).data)).toBe("s");
      expect((await alice.getACL("/secret")).acl).toEqual(acl);
      expect(await alice.whoAmI()).toContainEqual({ scheme: "digest", user: "alice" });
      await alice.create("/secret/c");
      await alice.setACL("/secret", [{ perms: Perms.READ, id: { scheme: "world", id: "anyone" } }], 0);
    } finally {
      await alice.close();
    }
    expect(text((await client.getData("/secret")).data)).toBe("s");
    await client.addAuth("digest", "alice:secret");
    expect(await client.whoAmI()).toContainEqual({ scheme: "digest", user: "alice" });
  });

  it("sync and linearizable reads see the latest write of another session", async () => {
    const other = await connect(server.address);
    try {
      await other.create("/lin", "1");
      expect(await client.sync("/lin")).toBe("/lin");
      expect(text((await client.getData("/lin")).data)).toBe("1");
      await other.setData("/lin", "2");
      expect(text((await client.getData("/lin", { linearizable: true })).data)).toBe("2");
    } finally {
      await other.close();
    }
  });

  it("getEphemerals and getAllChildrenNumber", async () => {
    await client.create("/eph");
    await client.create("/eph/a", "", { mode: "EPHEMERAL" });
    await client.create("/eph/b");
    await client.create("/eph/b/c", "", { mode: "EPHEMERAL" });
    const mine = await client.getEphemerals("/eph");
    expect(mine.sort()).toEqual(["/eph/a", "/eph/b/c"]);
    expect(await client.getAllChildrenNumber("/eph")).toBe(3);
  });

  it("batches 1000 concurrent getData calls", async () => {
    await client.create("/batch", "b");
    const all = await Promise.all(Array.from({ length: 1000 }, () => client.getData("/batch")));
    expect(all).toHaveLength(1000);
    expect(all.every((r) => text(r.data) === "b")).toBe(true);
  });
});
