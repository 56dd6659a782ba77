/** The data tree on the apply path: creates into a growing tree, setData, and reads among 100k znodes. */
import { bench, describe } from "vitest";
import type { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import { DataTree } from "../../server/tree/data-tree.js";

const data = Buffer.alloc(100, 97);
const epoch = 2 ** 32;
const time = 1_700_000_000_000n;

function createTxn(zxid: number, path: string, parentCversion: number): Txn {
  return {
    zxid: BigInt(zxid),
    sessionId: 1n,
    cxid: zxid,
    origin: 0,
    originRef: 0,
    time,
    body: { $case: "create", value: { path, data, acl: [], ephemeralOwner: 0n, parentCversion } },
  };
}

/** A tree holding /bench and `count` children of 100 B under it. */
function filledTree(count: number): { tree: DataTree; zxid: number } {
  const tree = new DataTree();
  let zxid = epoch;
  tree.apply(createTxn(++zxid, "/bench", 1));
  for (let i = 0; i < count; i++) tree.apply(createTxn(++zxid, `/bench/z${i}`, i + 1));
  return { tree, zxid };
}

const grow = filledTree(0);
let growCount = 0;
const big = filledTree(100_000);
let setCount = 0;
let readCount = 0;

describe("DataTree", () => {
  bench("apply create, 100 B, into a growing tree", () => {
    grow.tree.apply(createTxn(++grow.zxid, `/bench/g${growCount}`, ++growCount + 0));
  });
  bench("apply setData, 100 B, among 100k znodes", () => {
    const i = setCount++;
    const path = `/bench/z${i % 100_000}`;
    big.tree.apply({
      zxid: BigInt(++big.zxid),
      sessionId: 1n,
      cxid: 0,
      origin: 0,
      originRef: 0,
      time,
      // SetDataTxn carries the new version.
      body: { $case: "setData", value: { path, data, version: Math.floor(i / 100_000) + 1 } },
    });
  });
  bench("getData among 100k znodes", () => {
    big.tree.getData(`/bench/z${readCount++ % 100_000}`, []);
  });
});
