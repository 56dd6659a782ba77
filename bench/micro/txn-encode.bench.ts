/** Transaction encoding: the cost every write pays once for the log and once per peer. */
import { bench, describe } from "vitest";
import { Txn } from "../../server/gen/paddock/internal/v1/txn.js";

const data100 = Buffer.alloc(100, 97);
const data1k = Buffer.alloc(1024, 97);

function createTxn(i: number, data: Buffer): Txn {
  return {
    zxid: 0x1_0000_0000n + BigInt(i),
    sessionId: 0x1234_5678_9abc_def0n,
    cxid: i,
    origin: 0,
    originRef: 0,
    time: 1_700_000_000_000n,
    body: {
      $case: "create",
      value: {
        path: `/bench/create/n-${String(i).padStart(10, "0")}`,
        data,
        acl: [],
        ephemeralOwner: 0n,
        parentCversion: i,
      },
    },
  };
}

const create100 = createTxn(1, data100);
const create1k = createTxn(2, data1k);
const setData: Txn = {
  zxid: 0x1_0000_0003n,
  sessionId: 7n,
  cxid: 3,
  origin: 0,
  originRef: 0,
  time: 1_700_000_000_000n,
  body: { $case: "setData", value: { path: "/bench/set/k-0-0-0", data: data100, version: 4 } },
};
const encoded100 = Txn.encode(create100).finish();
const batch = Array.from({ length: 64 }, (_, i) => createTxn(i, data100));

describe("Txn.encode / decode", () => {
  bench("encode create, 100 B", () => {
    Txn.encode(create100).finish();
  });
  bench("encode create, 1 KiB", () => {
    Txn.encode(create1k).finish();
  });
  bench("encode setData, 100 B", () => {
    Txn.encode(setData).finish();
  });
  bench("decode create, 100 B", () => {
    Txn.decode(encoded100);
  });
  bench("encode a group-commit batch of 64 creates (one per call)", () => {
    for (const t of batch) Txn.encode(t).finish();
  });
});
