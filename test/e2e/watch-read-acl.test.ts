import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, type WatchEvent } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { deferred } from "../support/wait.js";

// The gRPC door gets the same READ filter on watch events as the ZooKeeper door (which
// test/clients/zk/identity.test.ts compares with ZooKeeper 3.9.5): the filter is in the pipeline.

let server: ServerHandle;
let owner: Client;
let watcher: Client;
const ALICE = [{ perms: 31, id: { scheme: "auth", id: "" } }];

beforeAll(async () => {
  server = await startServer();
  owner = await connect(server.address);
  watcher = await connect(server.address);
  await owner.addAuth("digest", "alice:pw");
});

afterAll(async () => {
  await owner?.close();
  await watcher?.close();
  await server?.stop();
});

describe("gRPC door: watch events need READ on the node when they fire", () => {
  it("a recursive watcher sees changes of readable nodes only, and of secret ones once it holds READ", async () => {
    await owner.create("/r");
    await owner.create("/r/secret", "s", { acl: ALICE });
    const events: WatchEvent[] = [];
    let seen = deferred<void>();
    await watcher.addWatch("/r", "PERSISTENT_RECURSIVE", (e) => {
      events.push(e);
      seen.resolve();
    });
    await owner.setData("/r/secret", "s2");
    await owner.create("/r/open");
    await seen.promise;
    // The open node's event came; the secret node's change, earlier, did not.
    expect(events.map((e) => `${e.type} ${e.path}`)).toEqual(["NodeCreated /r/open"]);
    await watcher.addAuth("digest", "alice:pw");
    seen = deferred<void>();
    await owner.setData("/r/secret", "s3");
    await seen.promise;
    expect(events.map((e) => `${e.type} ${e.path}`)).toEqual([
      "NodeCreated /r/open",
      "NodeDataChanged /r/secret",
    ]);
  });

  it("a one-time watch whose event is filtered is spent unseen", async () => {
    await owner.create("/one");
    const first: WatchEvent[] = [];
    await watcher.getData("/one", { watch: (e) => first.push(e) });
    // Owner keeps ADMIN and WRITE (world), the watcher loses READ.
    await owner.setACL("/one", [{ perms: 30, id: { scheme: "world", id: "anyone" } }]);
    await owner.setData("/one", "1");
    await owner.setACL("/one", [{ perms: 31, id: { scheme: "world", id: "anyone" } }]);
    await owner.setData("/one", "2");
    // A later watch is a barrier: its event arrives after any stray one of the earlier watch.
    const barrier = deferred<WatchEvent>();
    await owner.create("/barrier");
    await watcher.exists("/barrier", { watch: barrier.resolve });
    await owner.delete("/barrier");
    expect((await barrier.promise).type).toBe("NodeDeleted");
    expect(first).toEqual([]);
  });
});
