/**
 * Configuration publish/subscribe: a subscriber keeps a TreeCache of /examples/config-* (one
 * read, then the resumable watch stream) and prints every change a publisher makes.
 *
 *   node --import tsx examples/config-push.ts 127.0.0.1:2181
 */
import { connect, TreeCache } from "../clients/ts/src/index.js";

const servers = process.argv[2] ?? "127.0.0.1:2181";
const root = `/examples/config-${process.pid}`;
const publisher = await connect(servers);
await publisher.create("/examples").catch(() => undefined);
await publisher.create(root, "");

const subscriber = await connect(servers);
const cache = new TreeCache(subscriber, root);
const text = (data: Uint8Array): string => Buffer.from(data).toString();
const done = new Promise<void>((resolve) => {
  cache.on("created", (path, node) => console.log(`created ${path} = ${text(node.data)}`));
  cache.on("changed", (path, node) => {
    console.log(`changed ${path} = ${text(node.data)}`);
    if (text(node.data) === "timeout=30s") resolve();
  });
  cache.on("deleted", (path) => console.log(`deleted ${path}`));
});
await cache.start();

await publisher.create(`${root}/db`, "url=postgres://db1");
await publisher.create(`${root}/http`, "timeout=5s");
await publisher.setData(`${root}/db`, "url=postgres://db2");
await publisher.setData(`${root}/http`, "timeout=30s");
await done;
console.log(
  `subscriber sees: ${cache
    .paths()
    .map((p) => `${p}=${text(cache.get(p)!.data)}`)
    .join(" ")}`,
);
await cache.close();
await Promise.all([publisher.close(), subscriber.close()]);
