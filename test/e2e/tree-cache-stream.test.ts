import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, TreeCache } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { nextEvent } from "../support/wait.js";

// The TreeCache on the resumable watch stream, against a real server: every change, intermediate
// values included, is reported exactly once and in order across a stream cut off by a proxy and
// across a server restart (the stream resumes from its last zxid; nothing is re-read); a stream
// whose start fell out of the server's history (COMPACTED) is replaced by a re-read.

let server: ServerHandle;
let proxy: TcpProxy;
let writer: Client;
const clients: Client[] = [];

beforeAll(async () => {
  // A small history (4 MiB), so a stream cut off while 5 MiB are written finds it compacted.
  server = await startServer({ settings: { watchHistorySize: 4096 } });
  proxy = await startTcpProxy(() => server.address);
  writer = await connect(server.address, { sessionTimeoutMs: 30_000 });
  clients.push(writer);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await proxy?.close();
  await server?.stop();
});

const text = (data: Uint8Array): string => Buffer.from(data).toString();

/** A started cache of `root` and the log of what it reported. */
async function follow(address: string, root: string): Promise<{ cache: TreeCache; log: string[] }> {
  const client = await connect(address, { sessionTimeoutMs: 30_000 });
  clients.push(client);
  const cache = new TreeCache(client, root);
  const log: string[] = [];
  cache.on("created", (p, n) => log.push(`created ${p} ${text(n.data)}`));
  cache.on("changed", (p, n) => log.push(`changed ${p} ${text(n.data)}`));
  cache.on("deleted", (p) => log.push(`deleted ${p}`));
  await cache.start();
  return { cache, log };
}

/** Resolves when the cache reports `line`. */
function reported(cache: TreeCache, log: string[], line: string): Promise<void> {
  const listener = (): boolean => log.includes(line);
  if (listener()) return Promise.resolve();
  return Promise.race(
    (["created", "changed", "deleted"] as const).map((event) =>
      nextEvent(cache, event, () => listener(), 30_000).then(() => undefined),
    ),
  );
}

describe("TreeCache on the resumable watch stream", () => {
  it("reports every change once, in order, while its stream is cut off and comes back", async () => {
    await writer.create("/tcs", "");
    await writer.create("/tcs/a", "0");
    await writer.create("/tcs/gone", "x");
    const { cache, log } = await follow(proxy.address, "/tcs");
    expect(log.sort()).toEqual(["created /tcs ", "created /tcs/a 0", "created /tcs/gone x"]);
    log.length = 0;
    await writer.setData("/tcs/a", "1");
    await reported(cache, log, "changed /tcs/a 1");

    const cutOff = nextEvent(cache.client, "state", (s) => s === "disconnected");
    proxy.cut();
    await cutOff;
    for (let i = 2; i <= 6; i++) await writer.setData("/tcs/a", String(i));
    await writer.delete("/tcs/gone");
    await writer.create("/tcs/born", "b");
    await writer.setData("/tcs/born", "b2");
    const resynced = nextEvent(cache, "resynced", () => true, 30_000);
    proxy.restore();
    await resynced;
    expect(log).toEqual([
      "changed /tcs/a 1",
      "changed /tcs/a 2",
      "changed /tcs/a 3",
      "changed /tcs/a 4",
      "changed /tcs/a 5",
      "changed /tcs/a 6",
      "deleted /tcs/gone",
      "created /tcs/born b",
      "changed /tcs/born b2",
    ]);
    expect(cache.paths()).toEqual(["/tcs", "/tcs/a", "/tcs/born"]);
    await cache.close();
  });

  it("reports every change once, in order, across a server restart", async () => {
    await writer.create("/tcr", "");
    await writer.create("/tcr/a", "0");
    const { cache, log } = await follow(server.address, "/tcr");
    log.length = 0;
    for (let i = 1; i <= 3; i++) await writer.setData("/tcr/a", String(i));
    await reported(cache, log, "changed /tcr/a 3");

    const resynced = nextEvent(cache, "resynced", () => true, 30_000);
    await server.stop();
    server = await server.restart();
    // The writer's session resumes on the restarted server (same port, same data).
    for (let i = 4; i <= 7; i++) await writer.setData("/tcr/a", String(i));
    await writer.create("/tcr/b", "b");
    await writer.delete("/tcr/b");
    await resynced;
    await reported(cache, log, "deleted /tcr/b");
    expect(log).toEqual([
      "changed /tcr/a 1",
      "changed /tcr/a 2",
      "changed /tcr/a 3",
      "changed /tcr/a 4",
      "changed /tcr/a 5",
      "changed /tcr/a 6",
      "changed /tcr/a 7",
      "created /tcr/b b",
      "deleted /tcr/b",
    ]);
    expect(text(cache.get("/tcr/a")!.data)).toBe("7");
    await cache.close();
  });

  it("re-reads the subtree when the history no longer reaches back (COMPACTED), then follows again", async () => {
    await writer.create("/tcc", "");
    await writer.create("/tcc/a", "old");
    await writer.create("/tcc/gone", "x");
    await writer.create("/filler", "");
    const { cache, log } = await follow(proxy.address, "/tcc");
    log.length = 0;
    const cutOff = nextEvent(cache.client, "state", (s) => s === "disconnected");
    proxy.cut();
    await cutOff;
    await writer.setData("/tcc/a", "mid");
    await writer.setData("/tcc/a", "new");
    await writer.delete("/tcc/gone");
    await writer.create("/tcc/born", "b");
    await writer.setData("/tcc/born", "b1");
    // 5 MiB of changes elsewhere push all of the above out of the 4 MiB history.
    const filler = "x".repeat(64 * 1024);
    for (let i = 0; i < 80; i++) await writer.setData("/filler", filler);
    const resynced = nextEvent(cache, "resynced", () => true, 30_000);
    proxy.restore();
    await resynced;
    // A re-read sees only the latest state (not "mid", not "b"): the differences, once each.
    expect([...log].sort()).toEqual(["changed /tcc/a new", "created /tcc/born b1", "deleted /tcc/gone"]);
    log.length = 0;
    await writer.setData("/tcc/born", "b2");
    await reported(cache, log, "changed /tcc/born b2");
    expect(log).toEqual(["changed /tcc/born b2"]);
    await cache.close();
  });
});
