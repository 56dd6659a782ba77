// encodeReply, encodeEvent and encodeHeaderOnly, decoded as a client would.
import { describe, expect, it } from "vitest";
import { OpCode } from "../../../server/jute/opcodes.js";
import { encodeEvent, encodeHeaderOnly, encodeReply } from "../../../server/jute/reply-encoder.js";
import { decodeReply } from "./support/jute-client.js";
import { reply, STAT } from "./support/samples.js";

const ACL = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

/** Encodes, checks the frame length, decodes as the client would; no bytes may be left over. */
function roundTrip(opcode: number, r: Parameters<typeof encodeReply>[1], multiOpcodes?: number[]) {
  const frame = encodeReply(opcode, r, multiOpcodes);
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  const d = decodeReply(opcode, frame.subarray(4));
  expect(d.rest).toBe(0);
  expect(d.xid).toBe(42);
  expect(d.zxid).toBe(0x2_0000_0001n);
  return d;
}

describe("encodeReply", () => {
  it("create answers CreateResponse {path}; create2, createContainer, createTTL add the stat", () => {
    const r = reply({ $case: "create", value: { path: "/q0000000001", stat: STAT } });
    expect(roundTrip(OpCode.create, r).body).toEqual({ path: "/q0000000001" });
    for (const opcode of [OpCode.create2, OpCode.createContainer, OpCode.createTTL]) {
      expect(roundTrip(opcode, r).body).toEqual({ path: "/q0000000001", stat: STAT });
    }
  });

  it("exists answers the stat, or NoNode with no body when Paddock says no stat", () => {
    expect(roundTrip(OpCode.exists, reply({ $case: "exists", value: { stat: STAT } })).body).toEqual({
      stat: STAT,
    });
    const missing = roundTrip(OpCode.exists, reply({ $case: "exists", value: { stat: undefined } }));
    expect([missing.err, missing.body]).toEqual([-101, {}]);
  });

  it("getData, setData, getACL, setACL, getChildren, getChildren2, sync", () => {
    const data = Buffer.from([0, 1, 255]);
    expect(roundTrip(OpCode.getData, reply({ $case: "getData", value: { data, stat: STAT } })).body).toEqual({
      data,
      stat: STAT,
    });
    expect(roundTrip(OpCode.setData, reply({ $case: "setData", value: { stat: STAT } })).body).toEqual({
      stat: STAT,
    });
    expect(
      roundTrip(OpCode.getACL, reply({ $case: "getAcl", value: { acl: ACL, stat: STAT } })).body,
    ).toEqual({
      acl: ACL,
      stat: STAT,
    });
    expect(roundTrip(OpCode.setACL, reply({ $case: "setAcl", value: { stat: STAT } })).body).toEqual({
      stat: STAT,
    });
    const kids = reply({ $case: "getChildren", value: { children: ["a", "ü"], stat: STAT } });
    expect(roundTrip(OpCode.getChildren, kids).body).toEqual({ children: ["a", "ü"] });
    expect(roundTrip(OpCode.getChildren2, kids).body).toEqual({ children: ["a", "ü"], stat: STAT });
    expect(roundTrip(OpCode.sync, reply({ $case: "sync", value: { path: "/s" } })).body).toEqual({
      path: "/s",
    });
  });

  it("getEphemerals, getAllChildrenNumber, whoAmI, addWatch", () => {
    expect(
      roundTrip(OpCode.getEphemerals, reply({ $case: "getEphemerals", value: { paths: ["/e"] } })).body,
    ).toEqual({
      ephemerals: ["/e"],
    });
    expect(
      roundTrip(OpCode.getAllChildrenNumber, reply({ $case: "getAllChildrenNumber", value: { number: 12 } }))
        .body,
    ).toEqual({ totalNumber: 12 });
    const info = [{ authScheme: "ip", user: "127.0.0.1" }];
    expect(roundTrip(OpCode.whoAmI, reply({ $case: "whoAmI", value: { clientInfo: info } })).body).toEqual({
      clientInfo: info,
    });
    // ZooKeeper sends an ErrorResponse {0} body with addWatch (checked against a real server).
    expect(roundTrip(OpCode.addWatch, reply({ $case: "addWatch", value: {} })).body).toEqual({ err: 0 });
  });

  it("header-only replies are 16 bytes of payload", () => {
    const cases: [number, Parameters<typeof reply>[0]][] = [
      [OpCode.delete, { $case: "delete", value: {} }],
      [OpCode.removeWatches, { $case: "removeWatches", value: {} }],
      [OpCode.ping, { $case: "ping", value: {} }],
      [OpCode.closeSession, { $case: "close", value: {} }],
    ];
    for (const [opcode, result] of cases) expect(encodeReply(opcode, reply(result)).length).toBe(20);
  });

  it("an error is the header with err = code and no body", () => {
    const err = { code: -110, path: "/a", message: "NodeExists" };
    const d = roundTrip(OpCode.create2, reply(undefined, err));
    expect([d.err, d.body]).toEqual([-110, {}]);
    expect(encodeReply(OpCode.getData, reply(undefined, err)).length).toBe(20);
  });

  it("a failed multi has err 0 in the header and the errors in its results", () => {
    const e = (code: number) => ({
      result: { $case: "error" as const, value: { code, path: "", message: "" } },
    });
    const r = reply(
      { $case: "multi", value: { results: [e(0), e(-110), e(-2)] } },
      { code: -110, path: "/a", message: "" },
    );
    const d = roundTrip(OpCode.multi, r);
    expect(d.err).toBe(0);
    expect(d.body.results).toEqual([
      { type: -1, err: 0 },
      { type: -1, err: -110 },
      { type: -1, err: -2 },
    ]);
  });

  it("multi results follow the request's op types", () => {
    const results = [
      { result: { $case: "create" as const, value: { path: "/m1", stat: STAT } } },
      { result: { $case: "create" as const, value: { path: "/m2", stat: STAT } } },
      { result: { $case: "delete" as const, value: {} } },
      { result: { $case: "setData" as const, value: { stat: STAT } } },
      { result: { $case: "check" as const, value: {} } },
    ];
    const d = roundTrip(OpCode.multi, reply({ $case: "multi", value: { results } }), [
      OpCode.create,
      OpCode.create2,
      OpCode.delete,
      OpCode.setData,
      OpCode.check,
    ]);
    expect(d.body.results).toEqual([
      { type: 1, err: 0, path: "/m1" },
      { type: 15, err: 0, path: "/m2", stat: STAT },
      { type: 2, err: 0 },
      { type: 5, err: 0, stat: STAT },
      { type: 13, err: 0 },
    ]);
    expect(roundTrip(OpCode.multi, reply({ $case: "multi", value: { results: [] } })).body).toEqual({
      results: [],
    });
  });

  it("multiRead results: getData, getChildren (no stat), errors", () => {
    const results = [
      { result: { $case: "getData" as const, value: { data: Buffer.from("x"), stat: STAT } } },
      { result: { $case: "getChildren" as const, value: { children: ["c"], stat: STAT } } },
      { result: { $case: "error" as const, value: { code: -101, path: "/n", message: "" } } },
    ];
    const d = roundTrip(OpCode.multiRead, reply({ $case: "multiRead", value: { results } }));
    expect(d.body.results).toEqual([
      { type: 4, err: 0, data: Buffer.from("x"), stat: STAT },
      { type: 8, err: 0, children: ["c"] },
      { type: -1, err: -101 },
    ]);
  });

  it("a result that does not match the opcode is our bug: an assertion", () => {
    expect(() => encodeReply(OpCode.getData, reply({ $case: "setData", value: { stat: STAT } }))).toThrow(
      /expected getData/,
    );
  });
});

describe("encodeEvent and encodeHeaderOnly", () => {
  it("a notification is xid -1, the zxid (default -1), err 0, then type, state 3, path", () => {
    const d = decodeReply(0, encodeEvent(3, "/w").subarray(4));
    expect(d).toEqual({ xid: -1, zxid: -1n, err: 0, body: { type: 3, state: 3, path: "/w" }, rest: 0 });
    expect(decodeReply(0, encodeEvent(1, "/w", 0x5n).subarray(4)).zxid).toBe(0x5n);
  });

  it("header only: ping -2, auth -4, setWatches -8", () => {
    const f = encodeHeaderOnly(-2, 0x7n, 0);
    expect(f.toString("hex")).toBe("00000010" + "fffffffe" + "0000000000000007" + "00000000");
    expect(encodeHeaderOnly(-4, 0n, -115).subarray(16).readInt32BE(0)).toBe(-115);
  });
});
