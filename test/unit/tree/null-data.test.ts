import { describe, expect, it } from "vitest";
import { SnapshotNode } from "../../../server/gen/paddock/internal/v1/snapshot.js";
import { snapshotNodeSize, writeSnapshotNode } from "../../../server/persistence/snapshot-node-codec.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { createReq, Harness } from "./harness.js";

// ZooKeeper keeps null data (a create with none, as zkCli's `create /a` and Kafka's
// latest_producer_id_block) apart from empty data, and clients act on the difference: Kafka parses
// empty data as JSON and fails. Paddock keeps it through prep, apply, reads and snapshots.

const ids = [{ scheme: "world", id: "anyone" }];

function snapshotBytes(node: Parameters<typeof writeSnapshotNode>[2]): Buffer {
  const pathBytes = Buffer.byteLength(node.path);
  const buf = Buffer.alloc(snapshotNodeSize(node, pathBytes));
  expect(writeSnapshotNode(buf, 0, node, pathBytes)).toBe(buf.length);
  return buf;
}

describe("null data, as ZooKeeper keeps it", () => {
  it("a create or setData with null data reads back null; empty data reads back empty", () => {
    const h = new Harness();
    h.run((z) => h.prep.create({ ...createReq("/null"), dataNull: true }, h.ctx(), z));
    h.create("/empty");
    expect(h.tree.getData("/null", ids)).toMatchObject({ dataNull: true, data: Buffer.alloc(0) });
    expect(h.tree.getData("/empty", ids).dataNull).toBeUndefined();
    h.run((z) => h.prep.setData({ path: "/null", data: Buffer.from("x") }, h.ctx(), z));
    expect(h.tree.getData("/null", ids).dataNull).toBeUndefined();
    h.run((z) => h.prep.setData({ path: "/empty", data: Buffer.alloc(0), dataNull: true }, h.ctx(), z));
    expect(h.tree.getData("/empty", ids).dataNull).toBe(true);
    // Null asked for with data present is data: only empty data can be null.
    h.run((z) => h.prep.setData({ path: "/empty", data: Buffer.from("y"), dataNull: true }, h.ctx(), z));
    expect(h.tree.getData("/empty", ids)).toMatchObject({ data: Buffer.from("y") });
    expect(h.tree.getData("/empty", ids).dataNull).toBeUndefined();
  });

  it("survives a snapshot: the walk, the copy and the hand-written encoder all carry it", () => {
    const h = new Harness();
    h.run((z) => h.prep.create({ ...createReq("/null"), dataNull: true }, h.ctx(), z));
    h.create("/empty");
    const walked = [...h.tree.snapshotNodes()];
    expect(walked.find((n) => n.path === "/null")?.dataNull).toBe(true);
    expect(walked.find((n) => n.path === "/empty")?.dataNull).toBeUndefined();
    // The cursor's views reuse one object: read each as it comes.
    const viewed = Array.from(h.tree.snapshotCursor().views(), (v) => ({
      path: v.path,
      dataNull: v.dataNull,
    }));
    expect(viewed.find((v) => v.path === "/null")?.dataNull).toBe(true);
    for (const node of walked) {
      // The hand-written encoder writes the generated encoder's bytes, dataNull included.
      const generated = Buffer.from(
        SnapshotNode.encode({
          ...node,
          data: Buffer.from(node.data),
          czxid: BigInt(node.czxid),
          mzxid: BigInt(node.mzxid),
          ctime: BigInt(node.ctime),
          mtime: BigInt(node.mtime),
          pzxid: BigInt(node.pzxid),
        }).finish(),
      );
      expect(snapshotBytes(node)).toEqual(generated);
    }
    const decoded = walked.map((n) => SnapshotNode.decode(snapshotBytes(n)));
    const restored = DataTree.restore(h.tree.snapshotAcls(), decoded, h.tree.lastZxid);
    expect(restored.getData("/null", ids).dataNull).toBe(true);
    expect(restored.getData("/empty", ids).dataNull).toBeUndefined();
    expect(restored.digest).toBe(h.tree.digest);
  });
});
