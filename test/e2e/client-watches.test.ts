import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, type WatchEvent } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { deferred, nextEvent, waitUntil } from "../support/wait.js";

let server: ServerHandle;
let client: Client;
let writer: Client;

beforeAll(async () => {
  server = await startServer();
  client = await connect(server.address);
  writer = await connect(server.address);
});

afterAll(async () => {
  await client?.close();
  await writer?.close();
  await server?.stop();
});

describe("TypeScript client against a real server: watches", () => {
  it("a one-time data watch callback fires once, then not again", async () => {
    await writer.create("/w1", "a");
    const events: WatchEvent[] = [];
    const fired = deferred<void>();
    await client.getData("/w1", {
      watch: (e) => {
        events.push(e);
        fired.resolve();
      },
    });
    await writer.setData("/w1", "b");
    await fired.promise;
    await writer.setData("/w1", "c");
    // A later watch on the same session is a barrier: its event arrives after any stray one.
    const barrier = deferred<WatchEvent>();
    await client.exists("/w1", { watch: barrier.resolve });
    await writer.delete("/w1");
    expect((await barrier.promise).type).toBe("NodeDeleted");
    expect(events).toEqual([{ type: "NodeDataChanged", path: "/w1", zxid: expect.any(BigInt) }]);
  });

  it("exists watch on a missing node fires NodeCreated; child watch fires NodeChildrenChanged", async () => {
    const created = deferred<WatchEvent>();
    expect(await client.exists("/w2", { watch: created.resolve })).toBeNull();
    await writer.create("/w2");
    expect(await created.promise).toMatchObject({ type: "NodeCreated", path: "/w2" });
    const children = deferred<WatchEvent>();
    await client.getChildren("/w2", { watch: children.resolve });
    await writer.create("/w2/c");
    expect(await children.promise).toMatchObject({ type: "NodeChildrenChanged", path: "/w2" });
  });

  it("the default watcher emits 'watch' events", async () => {
    await writer.create("/w3");
    const event = nextEvent<WatchEvent>(client, "watch", (e) => e.path === "/w3");
    await client.getData("/w3", { watch: true });
    await writer.setData("/w3", "x");
    expect(await event).toMatchObject({ type: "NodeDataChanged", path: "/w3" });
  });

  it("a recursive persistent watch yields every event below it through the async iterator", async () => {
    await writer.create("/tree");
    const it = await client.watch("/tree", { recursive: true });
    await writer.create("/tree/a");
    await writer.create("/tree/a/b", "1");
    await writer.setData("/tree/a/b", "2");
    await writer.delete("/tree/a/b");
    const seen: string[] = [];
    for await (const e of it) {
      seen.push(`${e.type} ${e.path}`);
      if (seen.length === 4) break; // leaving the loop removes the watch
    }
    expect(seen).toEqual([
      "NodeCreated /tree/a",
      "NodeCreated /tree/a/b",
      "NodeDataChanged /tree/a/b",
      "NodeDeleted /tree/a/b",
    ]);
    await waitUntil("watch removed", () => client.load.watches === 0);
  });

  it("a persistent (non-recursive) watch stays after firing and ignores grandchildren data", async () => {
    await writer.create("/pw");
    await writer.create("/pw/c");
    const it = await client.watch("/pw");
    await writer.setData("/pw", "1");
    await writer.setData("/pw/c", "x"); // not reported: not recursive, data below
    await writer.create("/pw/d");
    await writer.setData("/pw", "2");
    const seen: string[] = [];
    for await (const e of it) {
      seen.push(`${e.type} ${e.path}`);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(["NodeDataChanged /pw", "NodeChildrenChanged /pw", "NodeDataChanged /pw"]);
  });
});
