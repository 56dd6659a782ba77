// decodeRequest for session traffic and refusals, and the connect handshake.
import { describe, expect, it } from "vitest";
import { decodeConnectRequest, encodeConnectResponse } from "../../../server/jute/connect-records.js";
import { JuteDecodeError } from "../../../server/jute/jute-decode-error.js";
import { JuteReader } from "../../../server/jute/jute-reader.js";
import { OpCode } from "../../../server/jute/opcodes.js";
import { decodeRequest } from "../../../server/jute/request-decoder.js";
import { type Field, requestBody } from "./support/jute-client.js";

const decode = (opcode: number, fields: Field[] = [], xid = 7) =>
  decodeRequest(requestBody(xid, opcode, fields));

describe("decodeRequest: session traffic and refusals", () => {
  it("ping, close, auth, setWatches, setWatches2 and checkWatches", () => {
    expect(decode(OpCode.ping, [], -2)).toEqual({ kind: "ping", xid: -2 });
    expect(decode(OpCode.closeSession, [], 3)).toEqual({ kind: "close", xid: 3 });
    expect(
      decode(
        OpCode.auth,
        [
          ["int", 0],
          ["ustring", "digest"],
          ["buffer", Buffer.from("u:p")],
        ],
        -4,
      ),
    ).toEqual({
      kind: "auth",
      xid: -4,
      scheme: "digest",
      auth: Buffer.from("u:p"),
    });
    const lists: Field[] = [
      ["long", 0x1_0000_0002n],
      ["strings", ["/d"]],
      ["strings", ["/e1", "/e2"]],
      ["strings", null],
    ];
    expect(decode(OpCode.setWatches, lists, -8)).toEqual({
      kind: "setWatches",
      xid: -8,
      opcode: OpCode.setWatches,
      watches: {
        relativeZxid: 0x1_0000_0002n,
        dataWatches: ["/d"],
        existWatches: ["/e1", "/e2"],
        childWatches: [],
        persistentWatches: [],
        persistentRecursiveWatches: [],
      },
    });
    expect(
      decode(OpCode.setWatches2, [...lists, ["strings", ["/p"]], ["strings", ["/r"]]], -8),
    ).toMatchObject({
      watches: { persistentWatches: ["/p"], persistentRecursiveWatches: ["/r"] },
    });
    expect(
      decode(OpCode.checkWatches, [
        ["ustring", "/c"],
        ["int", 2],
      ]),
    ).toEqual({
      kind: "checkWatches",
      xid: 7,
      path: "/c",
      type: 2,
    });
  });

  it("reconfig is an op (a null string reads as none); deleteContainer is refused; sasl carries its token", () => {
    const reconfig: Field[] = [
      ["ustring", "server.4=127.0.0.1:2:3;4"],
      ["ustring", null],
      ["ustring", ""],
      ["long", 0x1_0000_0005n],
    ];
    expect(decode(OpCode.reconfig, reconfig)).toEqual({
      kind: "op",
      xid: 7,
      opcode: OpCode.reconfig,
      op: {
        $case: "reconfig",
        value: {
          joiningServers: "server.4=127.0.0.1:2:3;4",
          leavingServers: "",
          newMembers: "",
          curConfigId: 0x1_0000_0005n,
        },
      },
    });
    expect(decode(OpCode.sasl, [["buffer", Buffer.from("tok")]])).toEqual({
      kind: "sasl",
      xid: 7,
      token: Buffer.from("tok"),
    });
    expect(decode(OpCode.deleteContainer, [["buffer", Buffer.from("/c")]])).toMatchObject({
      kind: "refused",
      code: -8,
      close: false,
    });
  });

  it("a standalone check (3.9 forbids it), createSession and unknown opcodes are unknown", () => {
    for (const opcode of [OpCode.check, OpCode.createSession, OpCode.notification, 55, 10]) {
      expect(
        decode(opcode, [
          ["ustring", "/a"],
          ["int", 0],
        ]),
      ).toEqual({ kind: "unknown", xid: 7, opcode });
    }
  });

  it("a frame shorter than the header has no header in its error", () => {
    const e = captureError(() => decodeRequest(Buffer.from([0, 0, 0, 1, 0])));
    expect(e).toBeInstanceOf(JuteDecodeError);
    expect((e as JuteDecodeError).header).toBeUndefined();
    expect((e as Error).message).toMatch(/header.type: needs 4 bytes at offset 4/);
  });
});

describe("connect handshake", () => {
  const connect = (readOnly?: boolean): Buffer => {
    const fields: Field[] = [
      ["int", 0],
      ["long", 0x55n],
      ["int", 30_000],
      ["long", -0x7000_0000_0000_0001n],
      ["buffer", Buffer.alloc(16, 9)],
    ];
    if (readOnly !== undefined) fields.push(["bool", readOnly]);
    return requestBody(0, 0, fields).subarray(8);
  };

  it("decodes ConnectRequest with and without the trailing readOnly", () => {
    expect(decodeConnectRequest(connect(true))).toEqual({
      protocolVersion: 0,
      lastZxidSeen: 0x55n,
      timeOutMs: 30_000,
      sessionId: -0x7000_0000_0000_0001n,
      passwd: Buffer.alloc(16, 9),
      readOnly: true,
    });
    expect(decodeConnectRequest(connect()).readOnly).toBeUndefined();
    expect(decodeConnectRequest(connect(false)).readOnly).toBe(false);
  });

  it("encodes ConnectResponse framed, with readOnly only when asked", () => {
    const rsp = { timeOutMs: 4000, sessionId: 0x1000c5e47000100n, passwd: Buffer.alloc(16, 1) };
    const withRo = encodeConnectResponse({ ...rsp, readOnly: false });
    const without = encodeConnectResponse({ ...rsp, readOnly: undefined });
    expect(withRo.readInt32BE(0)).toBe(withRo.length - 4);
    expect(withRo.length).toBe(4 + 4 + 4 + 8 + 4 + 16 + 1);
    expect(without.length).toBe(withRo.length - 1);
    const r = new JuteReader(withRo, 4);
    expect([r.int("v"), r.int("t"), r.long("s"), r.buffer("p"), r.bool("ro")]).toEqual([
      0,
      4000,
      0x1000c5e47000100n,
      Buffer.alloc(16, 1),
      false,
    ]);
  });
});

function captureError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}
