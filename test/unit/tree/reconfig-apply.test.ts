// A committed reconfig in the tree: /zookeeper/config's data, stat and trigger; prep's ACL check
// and outstanding record; snapshots carry the new content.
import { describe, expect, it } from "vitest";
import type { ConfigMember } from "../../../server/gen/paddock/internal/v1/txn.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { E, txn } from "./txns.js";

const members: ConfigMember[] = [
  { id: 2, host: "h2", quorumPort: 2002, electionPort: 3002, observer: true },
  {
    id: 1,
    host: "h1",
    quorumPort: 2001,
    electionPort: 3001,
    observer: false,
    clientHost: "c1",
    clientPort: 4001,
  },
];
const TEXT = "server.1=h1:2001:3001:participant;c1:4001\nserver.2=h2:2002:3002:observer\nversion=100000005";
const reconfig = { $case: "reconfig", value: { members } } as const;

describe("a committed reconfig in the tree", () => {
  it("sets /zookeeper/config to the lines by id and version=<hex zxid>, with mzxid, mtime and a trigger", () => {
    const tree = new DataTree();
    const outcome = tree.apply(txn(E + 5, reconfig, 777));
    expect(outcome.code).toBe(Code.OK);
    expect(outcome.result.$case).toBe("reconfig");
    const read = tree.getData("/zookeeper/config", []);
    expect(read.data.toString()).toBe(TEXT);
    // ZooKeeper 3.8 leaves the version at -1 (test/e2e/reconfig-differential.test.ts).
    expect(read.stat).toMatchObject({
      version: -1,
      mzxid: BigInt(E + 5),
      mtime: 777n,
      czxid: 0n,
      aversion: -1,
      dataLength: TEXT.length,
    });
    expect(outcome.result.value).toEqual(read);
    expect(outcome.triggers.map((t) => [t.path, t.type])).toEqual([["/zookeeper/config", 3]]);
    const again = tree.apply(txn(E + 9, reconfig, 778));
    expect(tree.getData("/zookeeper/config", []).stat).toMatchObject({ version: -1, mzxid: BigInt(E + 9) });
    expect(again.code).toBe(Code.OK);
  });

  it("survives a snapshot and restore", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 5, reconfig));
    const copy = DataTree.restore(tree.snapshotAcls(), tree.snapshotNodes(), tree.lastZxid);
    expect(copy.getData("/zookeeper/config", [])).toEqual(tree.getData("/zookeeper/config", []));
  });
});

describe("Prep.reconfig", () => {
  const superDigest = "super:D/InIHSb7yEEbrWz8b9l71RjZJU=";
  const tree = new DataTree({ superDigest });
  const prep = new Prep(tree, { limits: defaultLimits, extendedTypesEnabled: false, superDigest });
  const ctx = (ids: { scheme: string; id: string }[]) => ({
    sessionId: 1n,
    ids,
    now: 0,
    ephemeralAllowed: true,
  });

  it("needs WRITE on /zookeeper/config (world-readable only): NoAuth naming the node", () => {
    try {
      prep.reconfig(members, ctx([{ scheme: "ip", id: "127.0.0.1" }]), E + 1);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PaddockError);
      expect((error as PaddockError).code).toBe(Code.NoAuth);
      expect((error as PaddockError).path).toBe("/zookeeper/config");
    }
    expect(prep.outstandingCount).toBe(0);
  });

  it("passes for the super user and records the node's change until it commits", () => {
    const body = prep.reconfig(members, ctx([{ scheme: "super", id: "" }]), E + 1);
    expect(body).toEqual(reconfig);
    expect(prep.outstandingCount).toBe(1);
    prep.committed(E + 1);
    expect(prep.outstandingCount).toBe(0);
  });

  it("passes for anyone with skipACL", () => {
    const open = new Prep(new DataTree(), {
      limits: defaultLimits,
      extendedTypesEnabled: false,
      skipAcl: true,
    });
    expect(open.reconfig(members, ctx([]), E + 1).$case).toBe("reconfig");
  });
});
