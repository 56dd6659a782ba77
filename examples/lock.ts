/**
 * Distributed lock: three workers (three sessions) take turns on one lock and each increments a
 * shared counter with an unversioned read-modify-write, which is safe only under the lock. Each
 * holder prints its fencing token (the lock node's czxid), which only grows.
 *
 *   node --import tsx examples/lock.ts 127.0.0.1:2181
 */
import { connect, Lock } from "../clients/ts/src/index.js";

const servers = process.argv[2] ?? "127.0.0.1:2181";
const base = `/examples/lock-${process.pid}`;
const workers = await Promise.all([1, 2, 3].map(() => connect(servers)));
const [first] = workers;
await first!.create("/examples").catch(() => undefined);
await first!.create(base, "0");

await Promise.all(
  workers.map(async (client, i) => {
    const lock = new Lock(client, `${base}/lock`);
    lock.on("suspended", () => console.log(`worker ${i}: connection lost, stop writing`));
    for (let round = 0; round < 3; round++) {
      await lock.acquire();
      const { data } = await client.getData(base);
      const next = Number(Buffer.from(data).toString()) + 1;
      await client.setData(base, String(next));
      console.log(`worker ${i} holds the lock (fencing token ${lock.token!.czxid}): counter = ${next}`);
      await lock.release();
    }
  }),
);
console.log(`final counter: ${Buffer.from((await first!.getData(base)).data).toString()}`);
await Promise.all(workers.map((c) => c.close()));
