// A reconfig applied to a tree without /zookeeper/config: an assertion naming the zxid and the
// node, not a silent no-op (every member must hold the same configuration text).
import { describe, expect, it } from "vitest";
import { DataTree } from "../../../server/tree/data-tree.js";
import { CONFIG_PATH, reconfigVersion } from "../../../server/tree/reconfig-apply.js";
import { E, OPEN, txn } from "./txns.js";

describe("applyReconfig's preconditions", () => {
  it("a tree restored without /zookeeper/config refuses a reconfig with an assertion naming both", () => {
    const node = (path: string) => ({
      path,
      data: Buffer.alloc(0),
      aclRef: 1,
      czxid: 0n,
      mzxid: 0n,
      ctime: 0n,
      mtime: 0n,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      pzxid: 0n,
    });
    const tree = DataTree.restore([{ ref: 1, acl: OPEN }], [node("/"), node("/zookeeper")], E);
    tree.finishReplay();
    const members = [{ id: 1, host: "h1", quorumPort: 1, electionPort: 2, observer: false }];
    expect(() => tree.apply(txn(E + 3, { $case: "reconfig", value: { members } }))).toThrow(
      `reconfig ${E + 3}: /zookeeper/config is missing`,
    );
    expect(CONFIG_PATH).toBe("/zookeeper/config");
  });

  it("the version a reconfig leaves is -1 whatever it was (ZooKeeper 3.8)", () => {
    expect([0, 5, -1].map(reconfigVersion)).toEqual([-1, -1, -1]);
  });
});
