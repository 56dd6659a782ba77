import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, DubboApplications } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// Dubbo 3's application-level layout (clients/ts/src/recipes/dubbo-applications.ts) against a real
// server; test/clients/dubbo checks the same layout against a real Dubbo 3.3.
let server: ServerHandle;
const clients: Client[] = [];
const IFACE = "org.example.Greeter";

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await server?.stop();
});

async function session(): Promise<Client> {
  const c = await connect(server.address, { sessionTimeoutMs: 20_000 });
  clients.push(c);
  return c;
}

describe("DubboApplications", () => {
  it("keeps every application in the mapping when five register at once, and instances go with their sessions", async () => {
    const providers = await Promise.all([1, 2, 3, 4, 5].map(() => session()));
    const view = new DubboApplications(await session(), "/da/services", "/da/mapping", "/da/metadata");
    let changed = 0;
    expect(await view.applicationsOf(IFACE, () => changed++)).toEqual([]);
    await Promise.all(
      providers.map((c, i) =>
        new DubboApplications(c, "/da/services", "/da/mapping", "/da/metadata").register(
          { app: `app-${i}`, address: "10.0.0.5", port: 20880 + i },
          [IFACE],
        ),
      ),
    );
    expect((await view.applicationsOf(IFACE)).sort()).toEqual(["app-0", "app-1", "app-2", "app-3", "app-4"]);
    expect(changed).toBe(1); // the watch set on the missing mapping fired once, at its creation
    const [one] = await view.instances("app-3");
    expect(one).toMatchObject({ app: "app-3", id: "10.0.0.5:20883", address: "10.0.0.5", port: 20883 });
    const report = await view.client.getData(
      `/da/metadata/app-3/${one?.metadata["dubbo.metadata.revision"]}`,
    );
    expect(JSON.parse(Buffer.from(report.data).toString())).toMatchObject({
      app: "app-3",
      services: { [`${IFACE}:dubbo`]: { name: IFACE, port: 20883, protocol: "dubbo" } },
    });
    await providers[3]?.close();
    expect((await view.providersOf(IFACE)).map((i) => i.app).sort()).toEqual([
      "app-0",
      "app-1",
      "app-2",
      "app-4",
    ]);
  });

  it("names the offending name or node in its errors", async () => {
    const c = await session();
    const apps = new DubboApplications(c, "/db/services", "/db/mapping");
    await expect(apps.instances("a/b")).rejects.toThrow(/application name 'a\/b'/);
    await expect(apps.register({ app: "x", address: "h", port: 1 }, ["bad/iface"])).rejects.toThrow(
      /interface name 'bad\/iface'/,
    );
    await c.create("/db", "");
    await c.create("/db/services", "");
    await c.create("/db/services/broken", "");
    await c.create("/db/services/broken/h:1", "not json");
    await expect(apps.instances("broken")).rejects.toThrow("/db/services/broken/h:1");
    await apps.register({ app: "twice", address: "h", port: 2 });
    await expect(apps.register({ app: "twice", address: "h", port: 2 })).rejects.toThrow(
      /instance h:2 of application twice is already registered/,
    );
  });
});
