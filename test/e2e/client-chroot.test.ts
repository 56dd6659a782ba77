import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  type ClientState,
  connect,
  Lock,
  NoNodeError,
  op,
  type PaddockError,
  readOp,
  type WatchEvent,
} from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { deferred, nextEvent } from "../support/wait.js";

// A chroot in the connect string ("host:port/app", as ZooKeeper's clients): the client sees /app
// as "/", in requests, replies, errors and watch events, across a reconnect too.
let server: ServerHandle;
let proxy: TcpProxy;
let root: Client;

beforeAll(async () => {
  server = await startServer();
  proxy = await startTcpProxy(server.address);
  root = await connect(server.address);
  await root.create("/app");
});

afterAll(async () => {
  await root?.close();
  await proxy?.close();
  await server?.stop();
});

describe("chroot in the connect string", () => {
  it("roots every path, reply and error at the chroot", async () => {
    const c = await connect(`${server.address}/app`);
    try {
      expect((await c.create("/x", "1")).path).toBe("/x");
      expect(Buffer.from((await root.getData("/app/x")).data).toString()).toBe("1");
      const seq = await c.create("/s-", "", { mode: "EPHEMERAL_SEQUENTIAL" });
      expect(seq.path).toMatch(/^\/s-\d{10}$/);
      expect((await c.getChildren("/")).children.sort()).toEqual([seq.path.slice(1), "x"].sort());
      expect(await c.getEphemerals("/")).toEqual([seq.path]);
      expect(await c.sync("/x")).toBe("/x");
      const results = await c.multi([op.create("/m", "m"), op.setData("/x", "2")]);
      expect(results[0]).toMatchObject({ type: "create", path: "/m" });
      const reads = await c.multiRead([readOp.getData("/m"), readOp.getData("/nope")]);
      expect(reads[1]).toMatchObject({ type: "error", error: { path: "/nope" } });
      const error = await c.getData("/nope").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoNodeError);
      expect((error as PaddockError).path).toBe("/nope");
      expect((error as PaddockError).message).not.toContain("/app");
      expect(await root.exists("/app/m")).not.toBeNull();
    } finally {
      await c.close();
    }
  });

  it("delivers watch events with client paths, also after a reconnect re-registers them", async () => {
    const c = await connect(`${proxy.address}/app`, { sessionTimeoutMs: 20_000 });
    try {
      await c.create("/w", "");
      const first = deferred<WatchEvent>();
      await c.getData("/w", { watch: first.resolve });
      await root.setData("/app/w", "1");
      expect(await first.promise).toMatchObject({ type: "NodeDataChanged", path: "/w" });
      const recursive: WatchEvent[] = [];
      await c.addWatch("/", "PERSISTENT_RECURSIVE", (e) => recursive.push(e));
      const again = deferred<WatchEvent>();
      await c.getData("/w", { watch: again.resolve });
      const down = nextEvent<ClientState>(c, "state", (s) => s === "disconnected");
      proxy.cut();
      await down;
      const up = nextEvent<ClientState>(c, "state", (s) => s === "connected");
      proxy.restore();
      await up;
      await root.setData("/app/w", "2");
      expect(await again.promise).toMatchObject({ type: "NodeDataChanged", path: "/w" });
      expect(recursive.map((e) => e.path)).toContain("/w");
    } finally {
      await c.close();
    }
  });

  it("recipes work under a chroot", async () => {
    const c = await connect(`${server.address}/app`);
    try {
      const lock = new Lock(c, "/locks/l");
      await lock.acquire();
      expect(lock.nodePath).toMatch(/^\/locks\/l\/_c_/);
      expect((await root.getChildren("/app/locks/l")).children).toHaveLength(1);
      await lock.release();
    } finally {
      await c.close();
    }
  });

  it("refuses a bad chroot with the path's own error", async () => {
    await expect(connect(`${server.address}/app/`)).rejects.toThrow("Path must not end with / character");
  });
});
