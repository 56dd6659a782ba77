import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  type ClientState,
  connect,
  SessionExpiredError,
  type WatchEvent,
} from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { deferred, nextEvent, waitUntil } from "../support/wait.js";

let server: ServerHandle;
let observer: Client;
let proxy: TcpProxy;

beforeAll(async () => {
  server = await startServer({ settings: { tickTime: 200, minSessionTimeout: 400 } });
  observer = await connect(server.address, { sessionTimeoutMs: 20_000 });
  proxy = await startTcpProxy(server.address);
});

afterAll(async () => {
  await observer?.close().catch(() => undefined);
  await proxy?.close();
  await server?.stop();
});

describe("TypeScript client against a real server: sessions", () => {
  it("removes ephemerals when the session is closed, and fires NodeDeleted to watchers", async () => {
    const c = await connect(server.address);
    await c.create("/e-close", "", { mode: "EPHEMERAL" });
    const deleted = deferred<WatchEvent>();
    expect(await observer.exists("/e-close", { watch: deleted.resolve })).not.toBeNull();
    const states: ClientState[] = [];
    c.on("state", (s: ClientState) => states.push(s));
    await c.close();
    expect(states).toEqual(["closed"]);
    expect(await deleted.promise).toMatchObject({ type: "NodeDeleted", path: "/e-close" });
    expect(await observer.exists("/e-close")).toBeNull();
    await expect(c.getData("/")).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it("expires a session whose heartbeats stop; its ephemerals go and the client sees 'expired' when back", async () => {
    const c = await connect(proxy.address, { sessionTimeoutMs: 400 });
    try {
      expect(c.negotiatedTimeoutMs).toBe(400);
      await c.create("/e-expire", "", { mode: "EPHEMERAL" });
      const deleted = deferred<WatchEvent>();
      await observer.exists("/e-expire", { watch: deleted.resolve });
      const disconnected = nextEvent<ClientState>(c, "state", (s) => s === "disconnected");
      proxy.cut();
      await disconnected;
      expect(await deleted.promise).toMatchObject({ type: "NodeDeleted", path: "/e-expire" });
      const expired = nextEvent<ClientState>(c, "state", (s) => s === "expired");
      proxy.restore();
      await expired;
      expect(c.state).toBe("expired");
      await expect(c.exists("/")).rejects.toBeInstanceOf(SessionExpiredError);
    } finally {
      proxy.restore();
      await c.close().catch(() => undefined);
    }
  });

  it("reconnects within the timeout to the same session and gets the missed change (SetWatches)", async () => {
    const c = await connect(proxy.address, { sessionTimeoutMs: 6000 });
    try {
      const session = c.sessionId;
      await observer.create("/missed", "0");
      await c.create("/keep", "", { mode: "EPHEMERAL" });
      const fired = deferred<WatchEvent>();
      await c.getData("/missed", { watch: fired.resolve });
      const disconnected = nextEvent<ClientState>(c, "state", (s) => s === "disconnected");
      proxy.cut();
      await disconnected;
      await observer.setData("/missed", "1"); // happens while the client is cut off
      const connected = nextEvent<ClientState>(c, "state", (s) => s === "connected");
      proxy.restore();
      await connected;
      expect(c.sessionId).toBe(session);
      expect(await fired.promise).toMatchObject({ type: "NodeDataChanged", path: "/missed" });
      expect((await observer.exists("/keep"))?.ephemeralOwner).toBe(session);
      expect(Buffer.from((await c.getData("/missed")).data).toString()).toBe("1");
    } finally {
      proxy.restore();
      await c.close().catch(() => undefined);
    }
  });

  it("a server killed and restarted keeps the session (durable): both clients resume theirs", async () => {
    const c = await connect(server.address, { sessionTimeoutMs: 10_000 });
    const session = c.sessionId;
    await c.create("/restart-eph", "", { mode: "EPHEMERAL" });
    const back = nextEvent<ClientState>(c, "state", (s) => s === "connected", 20_000);
    await server.kill();
    server = await server.restart();
    await back;
    await waitUntil("observer reconnected", () => observer.state === "connected");
    try {
      expect(c.sessionId).toBe(session);
      expect((await observer.exists("/restart-eph"))?.ephemeralOwner).toBe(session);
    } finally {
      await c.close();
    }
    expect(await observer.exists("/restart-eph")).toBeNull();
  });
});
