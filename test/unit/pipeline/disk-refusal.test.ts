import { describe, expect, it } from "vitest";
import type { PipelineDeps } from "../../../server/pipeline/context.js";
import { diskRefusal } from "../../../server/pipeline/disk-refusal.js";
import type { Op } from "../../../server/pipeline/op-kinds.js";
import { Code } from "../../../server/util/error-code.js";

// What a member below its disk floor still takes: every write but a session's close is NotReadOnly.
const low = { writesRefused: () => "free space 10 MiB below the floor of 50 MiB" } as unknown as PipelineDeps;
const op = (o: unknown) => o as Op;

describe("writes refused below the disk floor", () => {
  it("refuses each kind of write with NotReadOnly, the op's path and the floor's reason", () => {
    const writes = [
      op({ $case: "create", value: { path: "/c", data: Buffer.alloc(0), acl: [], mode: 0, ttl: 0n } }),
      op({ $case: "delete", value: { path: "/d", version: -1 } }),
      op({ $case: "setAcl", value: { path: "/a", acl: [], version: -1 } }),
      op({ $case: "multi", value: { ops: [] } }),
    ];
    expect(writes.map((w) => diskRefusal(low, w)).map((e) => [e?.code, e?.path, e?.message])).toEqual([
      [Code.NotReadOnly, "/c", "free space 10 MiB below the floor of 50 MiB"],
      [Code.NotReadOnly, "/d", "free space 10 MiB below the floor of 50 MiB"],
      [Code.NotReadOnly, "/a", "free space 10 MiB below the floor of 50 MiB"],
      [Code.NotReadOnly, "", "free space 10 MiB below the floor of 50 MiB"],
    ]);
  });

  it("lets a session's close through: it frees ephemerals and its record is small", () => {
    expect(diskRefusal(low, op({ $case: "close", value: {} }))).toBeUndefined();
  });

  it("lets reads through, and everything when the member has no floor", () => {
    expect(diskRefusal(low, op({ $case: "getData", value: { path: "/c" } }))).toBeUndefined();
    const noFloor = {} as PipelineDeps;
    expect(diskRefusal(noFloor, op({ $case: "delete", value: { path: "/d", version: -1 } }))).toBeUndefined();
  });
});
