// Fuzz target jute-request: one request frame (RequestHeader + body) through decodeRequest, every opcode.
import { JuteDecodeError } from "../../../server/jute/jute-decode-error.js";
import { OpCode } from "../../../server/jute/opcodes.js";
import { decodeRequest } from "../../../server/jute/request-decoder.js";
import { type Field, MULTI_END, multiOp, OPEN, requestBody } from "../../unit/jute/support/jute-client.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";

const create: Field[] = [
  ["ustring", "/a"],
  ["buffer", Buffer.from("data")],
  ["acls", OPEN],
  ["int", 0],
];
const pathWatch: Field[] = [
  ["ustring", "/a"],
  ["bool", true],
];
const pathVersion: Field[] = [
  ["ustring", "/a"],
  ["int", 1],
];
const list: Field[] = [["strings", ["/a", "/b"]]];

/** One well-formed frame per opcode the door reads (and a few it refuses), made by the test client's writer. */
export function juteRequestSeeds(): Buffer[] {
  return [
    requestBody(1, OpCode.create, create),
    requestBody(2, OpCode.create2, create),
    requestBody(3, OpCode.createContainer, create),
    requestBody(4, OpCode.createTTL, [...create, ["long", 5n]]),
    requestBody(5, OpCode.delete, pathVersion),
    requestBody(6, OpCode.exists, pathWatch),
    requestBody(7, OpCode.getData, pathWatch),
    requestBody(8, OpCode.setData, [
      ["ustring", "/a"],
      ["buffer", Buffer.from("v")],
      ["int", 1],
    ]),
    requestBody(9, OpCode.getACL, [["ustring", "/a"]]),
    requestBody(10, OpCode.setACL, [
      ["ustring", "/a"],
      ["acls", OPEN],
      ["int", 1],
    ]),
    requestBody(11, OpCode.getChildren, pathWatch),
    requestBody(12, OpCode.getChildren2, pathWatch),
    requestBody(13, OpCode.sync, [["ustring", "/a"]]),
    requestBody(-2, OpCode.ping),
    requestBody(14, OpCode.check, pathVersion),
    requestBody(15, OpCode.multi, [
      ...multiOp(OpCode.create, create),
      ...multiOp(OpCode.createTTL, [...create.slice(0, 3), ["int", 5], ["long", 9n]]),
      ...multiOp(OpCode.delete, pathVersion),
      ...multiOp(OpCode.setData, [
        ["ustring", "/a"],
        ["buffer", null],
        ["int", -1],
      ]),
      ...multiOp(OpCode.check, pathVersion),
      ...MULTI_END,
    ]),
    requestBody(16, OpCode.multiRead, [
      ...multiOp(OpCode.getData, [
        ["ustring", "/a"],
        ["bool", false],
      ]),
      ...multiOp(OpCode.getChildren, [
        ["ustring", "/a"],
        ["bool", false],
      ]),
      ...MULTI_END,
    ]),
    requestBody(17, OpCode.reconfig, [
      ["ustring", ""],
      ["ustring", ""],
      ["ustring", ""],
      ["long", -1n],
    ]),
    requestBody(18, OpCode.checkWatches, [
      ["ustring", "/a"],
      ["int", 1],
    ]),
    requestBody(19, OpCode.removeWatches, [
      ["ustring", "/a"],
      ["int", 1],
    ]),
    requestBody(20, OpCode.deleteContainer, [["ustring", "/a"]]),
    requestBody(-4, OpCode.auth, [
      ["int", 0],
      ["ustring", "digest"],
      ["buffer", Buffer.from("u:p")],
    ]),
    requestBody(-8, OpCode.setWatches, [["long", 1n], ...list, ...list, ...list]),
    requestBody(-8, OpCode.setWatches2, [["long", 1n], ...list, ...list, ...list, ...list, ...list]),
    requestBody(21, OpCode.sasl, [["buffer", Buffer.from("token")]]),
    requestBody(22, OpCode.getEphemerals, [["ustring", "/a"]]),
    requestBody(23, OpCode.getAllChildrenNumber, [["ustring", "/a"]]),
    requestBody(24, OpCode.addWatch, [
      ["ustring", "/a"],
      ["int", 1],
    ]),
    requestBody(25, OpCode.whoAmI),
    requestBody(26, OpCode.closeSession),
  ];
}

/** decodeRequest documents JuteDecodeError only; a body error must carry the header it read. */
export function fuzzJuteRequest(bytes: Buffer): void {
  try {
    decodeRequest(bytes);
  } catch (e) {
    if (!(e instanceof JuteDecodeError)) throw e;
    if (bytes.length >= 8 && e.header === undefined) {
      throw new Error(
        `JuteDecodeError without its header for a frame of ${bytes.length} bytes: ${e.message}`,
      );
    }
  }
}

export const juteRequest: FuzzTarget = {
  name: "jute-request",
  seeds: juteRequestSeeds,
  fuzz: fuzzJuteRequest,
  dictionary: Object.values(OpCode).map((op) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(op);
    return b;
  }),
};
