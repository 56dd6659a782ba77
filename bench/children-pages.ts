/**
 * Paged children and compare-transactions (issue 18), against a standalone server through the TS
 * client: a large directory read whole, page by page and counted; a CAS loop as multi(check +
 * setData) and as txn(compare mzxid, then setData). Not a test: nothing is asserted; medians go in
 * BENCHMARKS.md with the machine they ran on.
 *
 *   node --import tsx bench/children-pages.ts                       # 100,000 children, 5 rounds
 *   node --import tsx bench/children-pages.ts --children 20000 --rounds 3 --cas 500
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { compare, connect, countChildren, listChildren, op } from "../clients/ts/src/index.js";
import { startServer } from "../test/support/launcher.js";

const { values } = parseArgs({
  options: {
    children: { type: "string", default: "100000" },
    rounds: { type: "string", default: "5" },
    cas: { type: "string", default: "2000" },
  },
});
const childCount = Number(values.children);
const rounds = Number(values.rounds);
const casCount = Number(values.cas);

const server = await startServer();
const client = await connect(server.address, { sessionTimeoutMs: 30_000 });
await client.create("/dir");
for (let i = 0; i < childCount; i += 500) {
  const batch = [];
  for (let j = i; j < Math.min(childCount, i + 500); j++) batch.push(op.create(`/dir/child-${j}`));
  await client.multi(batch);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
async function timed(what: string, run: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  console.log(
    `${what.padEnd(44)} median ${median(ms).toFixed(1)} ms  (rounds: ${ms.map((m) => m.toFixed(1)).join(", ")})`,
  );
}

const drain = async (pageSize: number): Promise<void> => {
  let n = 0;
  for await (const _ of listChildren(client, "/dir", { pageSize })) n++;
  if (n !== childCount) throw new Error(`listed ${n} of ${childCount}`);
};

await timed(`getChildren of ${childCount}`, async () => {
  const { children: names } = await client.getChildren("/dir");
  if (names.length !== childCount) throw new Error(`got ${names.length}`);
});
await timed("listChildren, 1,000 per page", () => drain(1000));
await timed("listChildren, 10,000 per page", () => drain(10_000));
await timed("first page of 100", () => client.getChildrenPage("/dir", { pageSize: 100 }));
await timed("countChildren", () => countChildren(client, "/dir"));

await client.create("/cas", "0");
await timed(`${casCount} sequential multi(check + setData)`, async () => {
  for (let i = 0; i < casCount; i++) {
    const { stat } = await client.getData("/cas");
    await client.multi([op.check("/cas", stat.version), op.setData("/cas", String(i))]);
  }
});
await timed(`${casCount} sequential txn(mzxid =, setData)`, async () => {
  for (let i = 0; i < casCount; i++) {
    const { stat } = await client.getData("/cas");
    await client.txn({
      compare: [compare("/cas", "mzxid", "=", stat.mzxid)],
      thenOps: [op.setData("/cas", String(i))],
    });
  }
});

await client.close();
await server.stop();
