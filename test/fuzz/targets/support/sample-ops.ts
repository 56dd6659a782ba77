// One valid Paddock op of every kind, the seeds of the gRPC targets.
import type { Op } from "../../../../server/pipeline/op-kinds.js";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

export const SAMPLE_OPS: readonly Op[] = [
  { $case: "create", value: { path: "/a/c", data: Buffer.from("v"), acl: OPEN, mode: 2, ttl: 0n } },
  {
    $case: "create",
    value: { path: "/t", data: Buffer.alloc(0), acl: [], mode: 5, ttl: 1000n, dataNull: true },
  },
  { $case: "delete", value: { path: "/a/b", version: 0 } },
  { $case: "exists", value: { path: "/a", watch: true, consistency: 1 } },
  { $case: "getData", value: { path: "/a", watch: true, consistency: 0 } },
  { $case: "setData", value: { path: "/a", data: Buffer.from("w"), version: 0 } },
  { $case: "getChildren", value: { path: "/a", watch: true, consistency: 0 } },
  { $case: "getAllChildrenNumber", value: { path: "/a" } },
  { $case: "getEphemerals", value: { prefixPath: "/a" } },
  { $case: "getAcl", value: { path: "/a" } },
  { $case: "setAcl", value: { path: "/a", acl: OPEN, version: 0 } },
  { $case: "sync", value: { path: "/a" } },
  {
    $case: "multi",
    value: {
      ops: [
        { op: { $case: "check", value: { path: "/a", version: 0 } } },
        {
          op: {
            $case: "create",
            value: { path: "/a/m", data: Buffer.from("m"), acl: OPEN, mode: 0, ttl: 0n },
          },
        },
        { op: { $case: "setData", value: { path: "/a", data: Buffer.from("z"), version: -1 } } },
        { op: { $case: "delete", value: { path: "/a/m" } } },
      ],
    },
  },
  {
    $case: "multiRead",
    value: {
      ops: [
        { op: { $case: "getData", value: { path: "/a", watch: false, consistency: 0 } } },
        { op: { $case: "getChildren", value: { path: "/a", watch: false, consistency: 0 } } },
      ],
    },
  },
  { $case: "addWatch", value: { path: "/a", mode: 1 } },
  { $case: "removeWatches", value: { path: "/a", type: 3, checkOnly: true } },
  { $case: "whoAmI", value: {} },
  { $case: "ping", value: {} },
  { $case: "close", value: {} },
  {
    $case: "setWatches",
    value: {
      relativeZxid: 5n,
      dataWatches: ["/a"],
      existWatches: ["/x"],
      childWatches: ["/a"],
      persistentWatches: ["/a/b"],
      persistentRecursiveWatches: ["/"],
    },
  },
];
