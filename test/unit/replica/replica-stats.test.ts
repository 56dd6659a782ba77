import { describe, expect, it } from "vitest";
import { ReplicaStats } from "../../../server/replica/replica-stats.js";

describe("ReplicaStats' sync counts", () => {
  it("counts DIFF and TRUNC as diff_count (as ZooKeeper), TRUNC also alone, SNAP apart", () => {
    const stats = new ReplicaStats(() => 0);
    for (const type of ["diff", "diff", "trunc", "snap"] as const) stats.syncServed(type);
    expect({ diff: stats.diffCount, trunc: stats.truncCount, snap: stats.snapCount }).toEqual({
      diff: 3,
      trunc: 1,
      snap: 1,
    });
  });
});
