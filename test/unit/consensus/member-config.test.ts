import { describe, expect, it } from "vitest";
import { configOfEntry, idsConfig, observersOf, votersOf } from "../../../server/consensus/member-config.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { txnOf } from "../../sim/disk.js";

// Configurations as the core reads them (member-config.ts; found by mutation testing).

const member = (id: number, observer: boolean) => ({
  id,
  host: "",
  quorumPort: 0,
  electionPort: 0,
  observer,
});

describe("member configurations", () => {
  it("idsConfig lists voters then observers, without addresses, at version 0", () => {
    expect(idsConfig([1, 2], [3])).toStrictEqual({
      version: 0,
      members: [member(1, false), member(2, false), member(3, true)],
    });
    expect(idsConfig([1])).toStrictEqual({ version: 0, members: [member(1, false)] });
  });

  it("votersOf and observersOf split the members by role", () => {
    const config = idsConfig([1, 2], [3, 4]);
    expect([...votersOf(config)]).toEqual([1, 2]);
    expect([...observersOf(config)]).toEqual([3, 4]);
    expect([...observersOf(idsConfig([1, 2]))]).toEqual([]);
  });

  it("configOfEntry: a reconfig's members at its zxid, nothing for other entries", () => {
    const zxid = makeZxid(2, 7);
    const members = idsConfig([1, 2, 3], [4]).members;
    expect(
      configOfEntry({ zxid, txn: txnOf({ $case: "reconfig", value: { members: [...members] } }) }),
    ).toStrictEqual({
      version: zxid,
      members,
    });
    expect(configOfEntry({ zxid, txn: txnOf({ $case: "delete", value: { path: "/a" } }) })).toBeUndefined();
    expect(configOfEntry({ zxid, txn: txnOf(undefined) })).toBeUndefined();
  });
});
