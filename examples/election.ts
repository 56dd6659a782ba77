/**
 * Master election: three candidates join a LeaderLatch (Curator's layout, so Curator's
 * LeaderLatch can take part); the leader steps down with close() and leadership passes on.
 *
 *   node --import tsx examples/election.ts 127.0.0.1:2181
 */
import { connect, LeaderLatch } from "../clients/ts/src/index.js";

const servers = process.argv[2] ?? "127.0.0.1:2181";
const path = `/examples/election-${process.pid}`;
const latches: LeaderLatch[] = [];
for (const id of ["alpha", "beta", "gamma"]) {
  const latch = new LeaderLatch(await connect(servers), path, id);
  latch.on("isLeader", () => console.log(`${id} is the leader (fencing token ${latch.token!.czxid})`));
  latch.on("suspended", () => console.log(`${id}: connection lost, not acting as leader`));
  await latch.start();
  latches.push(latch);
}
for (const latch of latches) {
  await latch.awaitLeadership();
  console.log(`participants: ${(await latch.participants()).join(", ")}`);
  console.log(`${latch.id} steps down`);
  await latch.close();
  await latch.client.close();
}
