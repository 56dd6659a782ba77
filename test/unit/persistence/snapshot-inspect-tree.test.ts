import { describe, expect, it } from "vitest";
import type { LoadedSnapshot } from "../../../server/persistence/snapshot.js";
import {
  PREVIEW_BYTES,
  snapshotLines,
  snapshotReport,
} from "../../../server/persistence/snapshot-inspect.js";
import type { SnapshotNodeRecord as SnapshotNode } from "../../../server/util/snapshot-node-record.js";

// What `paddock snapshot inspect` prints: the header block, the digest check, and with --tree one
// line per node in path order with its child count and a data preview.

function node(path: string, over: Partial<SnapshotNode> = {}): SnapshotNode {
  return {
    path,
    data: Buffer.alloc(0),
    aclRef: 0,
    czxid: 0x100000001,
    mzxid: 0x100000002,
    ctime: 1_700_000_000_000,
    mtime: 1_700_000_000_500,
    version: 1,
    cversion: 2,
    aversion: 3,
    ephemeralOwner: 0n,
    pzxid: 0x100000003,
    ...over,
  };
}

function snap(nodes: SnapshotNode[]): LoadedSnapshot {
  return {
    file: "/d/snapshot.100000009",
    header: { formatVersion: 1, zxid: 0x100000009n, nodeCount: 5n, digest: 0xabcn, sessionCount: 2n },
    acls: [{ ref: 0, acl: [] }],
    nodes,
    sessions: [
      { sessionId: 0x10n, timeoutMs: 4000, password: Buffer.alloc(16) },
      { sessionId: -1n, timeoutMs: 30000, password: Buffer.alloc(16) },
    ],
  };
}

// Parents before children, as a snapshot holds them, but not in path order.
const nodes = [
  node("/"),
  node("/z", { data: Buffer.from("x".repeat(PREVIEW_BYTES + 12)) }),
  node("/a", { data: Buffer.from("hi"), ephemeralOwner: -2n }),
  node("/a/b", { data: Buffer.from([0, 1]), dataNull: false }),
  node("/a/n", { dataNull: true }),
];

describe("snapshotReport", () => {
  it("the header's fields, the sessions, and no digest check unless one is given", () => {
    expect(snapshotReport(snap(nodes))).toEqual({
      file: "/d/snapshot.100000009",
      formatVersion: 1,
      zxid: "0x100000009",
      nodeCount: 5,
      headerNodeCount: 5,
      acls: 1,
      digest: "0xabc",
      computedDigest: null,
      digestMatches: null,
      sessions: [
        { id: "0x10", timeoutMs: 4000 },
        { id: "0xffffffffffffffff", timeoutMs: 30000 },
      ],
    });
    expect(snapshotReport(snap(nodes), { computedDigest: 0xabcn })).toMatchObject({
      computedDigest: "0xabc",
      digestMatches: true,
    });
    expect(snapshotReport(snap(nodes), { computedDigest: 0xabdn })).toMatchObject({
      computedDigest: "0xabd",
      digestMatches: false,
    });
  });

  it("with --tree: every node in path order, its stat, child count and data preview", () => {
    const r = snapshotReport(snap(nodes), { tree: true });
    expect(r.nodes?.map((n) => [n.path, n.numChildren])).toEqual([
      ["/", 2],
      ["/a", 2],
      ["/a/b", 0],
      ["/a/n", 0],
      ["/z", 0],
    ]);
    expect(r.nodes?.[1]).toEqual({
      path: "/a",
      czxid: "0x100000001",
      mzxid: "0x100000002",
      pzxid: "0x100000003",
      ctime: "2023-11-14T22:13:20.000Z",
      mtime: "2023-11-14T22:13:20.500Z",
      version: 1,
      cversion: 2,
      aversion: 3,
      ephemeralOwner: "0xfffffffffffffffe",
      dataLength: 2,
      numChildren: 2,
      data: "hi",
      encoding: "utf8",
      dataOmitted: 0,
    });
    expect(r.nodes?.[3]).toMatchObject({ path: "/a/n", data: null, encoding: null, dataOmitted: 0 });
    expect(r.nodes?.[4]).toMatchObject({
      data: "x".repeat(PREVIEW_BYTES),
      encoding: "utf8",
      dataOmitted: 12,
    });
    expect(snapshotReport(snap(nodes), { tree: true, hex: true }).nodes?.[1]).toMatchObject({
      data: "6869",
      encoding: "hex",
    });
    // The caller's node order is left as it was.
    expect(nodes.map((n) => n.path)).toEqual(["/", "/z", "/a", "/a/b", "/a/n"]);
  });
});

describe("snapshotLines", () => {
  it("the header block, the digest check's two outcomes, and the tree lines", () => {
    const head = [
      "snapshot /d/snapshot.100000009",
      "format version 1",
      "zxid 0x100000009",
      "nodes 5 (header: 5)",
      "acls 1",
    ];
    const sessions = [
      "sessions 2",
      "  session 0x10 timeout 4000 ms",
      "  session 0xffffffffffffffff timeout 30000 ms",
    ];
    expect(snapshotLines(snap(nodes))).toEqual([...head, "digest 0xabc", ...sessions]);
    expect(snapshotLines(snap(nodes), { computedDigest: 0xabcn })[5]).toBe(
      "digest 0xabc (recomputed from the nodes: matches)",
    );
    expect(snapshotLines(snap(nodes), { computedDigest: 0xabdn })[5]).toBe(
      "digest 0xabc (recomputed from the nodes: MISMATCH, 0xabd)",
    );
    const stat = "version=1 cversion=2 aversion=3";
    expect(snapshotLines(snap(nodes), { tree: true }).slice(9)).toEqual([
      `tree (5 nodes; data previews up to ${PREVIEW_BYTES} bytes)`,
      `  / ${stat} owner=0x0 children=2 mzxid=0x100000002 length=0 data=""`,
      `  /a ${stat} owner=0xfffffffffffffffe children=2 mzxid=0x100000002 length=2 data="hi"`,
      `  /a/b ${stat} owner=0x0 children=0 mzxid=0x100000002 length=2 data=0x0001`,
      `  /a/n ${stat} owner=0x0 children=0 mzxid=0x100000002 length=0 data=null`,
      `  /z ${stat} owner=0x0 children=0 mzxid=0x100000002 length=60 data="${"x".repeat(PREVIEW_BYTES)}"…+12 bytes`,
    ]);
  });
});
